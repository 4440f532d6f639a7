"""The inbox card's HTML, from the one template partial the inbox page includes
(``templates/_case_card.html``), for the live inbox's events."""

from __future__ import annotations

from fastapi import Request

from kikimimi.web.casework.live import RenderCard
from kikimimi.web.casework.views import CaseCard
from kikimimi.web.context import web_context

CARD_TEMPLATE = "_case_card.html"


def card_renderer(request: Request) -> RenderCard:
    """Renders a card as the inbox page does (escaped like every template)."""
    template = web_context(request).templates.env.get_template(CARD_TEMPLATE)

    def render(card: CaseCard) -> str:
        return template.render(card=card)

    return render
