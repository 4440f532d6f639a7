// Kikimimi's pages, without any third-party code (served under a CSP without inline script).
//
// window.kikimimi.api(path, options) fetches JSON from the app with the page's session: it
// sends the CSRF token (from <meta name="csrf-token">) in the X-CSRF-Token header, which
// every state-changing request made with a session needs, and sends the browser back to
// the sign-in page when the session has ended.
(function () {
  "use strict";

  const meta = document.querySelector('meta[name="csrf-token"]');
  const csrfToken = meta ? meta.getAttribute("content") : "";

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.name = "ApiError";
      this.status = status;
    }
  }

  async function api(path, options = {}) {
    const headers = new Headers(options.headers || {});
    headers.set("Accept", "application/json");
    let body = options.body;
    if (body !== undefined && !(body instanceof FormData) && typeof body !== "string") {
      headers.set("Content-Type", "application/json");
      body = JSON.stringify(body);
    }
    if (csrfToken) {
      headers.set("X-CSRF-Token", csrfToken);
    }
    const response = await fetch(path, {
      ...options,
      body,
      headers,
      credentials: "same-origin",
    });
    if (response.status === 401) {
      const here = window.location.pathname + window.location.search;
      window.location.assign("/login?next=" + encodeURIComponent(here));
      throw new ApiError(401, "signed out");
    }
    const answer = response.status === 204 ? null : await response.json();
    if (!response.ok) {
      throw new ApiError(response.status, (answer && answer.error) || response.statusText);
    }
    return answer;
  }

  // <form data-confirm="Question?">: ask before submitting.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    const question = form instanceof HTMLFormElement ? form.dataset.confirm : undefined;
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // <button data-copy="element-id">: copy that element's text.
  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-copy]") : null;
    if (!button) {
      return;
    }
    const source = document.getElementById(button.dataset.copy);
    if (source && navigator.clipboard) {
      navigator.clipboard.writeText(source.textContent.trim()).then(() => {
        button.textContent = "Copied";
      });
    }
  });

  window.kikimimi = Object.freeze({ api, ApiError, csrfToken });
})();
