"""The node directory and the configuration written into it."""

from __future__ import annotations

from pathlib import Path

import yaml

from config.settings import LocalNodeSettings
from indexer.localnode.nodeconfig import Membership, NodeLayout, prepare


def fake_distribution(root: Path) -> Path:
    (root / "config" / "jvm.options.d").mkdir(parents=True)
    (root / "config" / "jvm.options").write_text("-XX:+UseG1GC\n")
    (root / "config" / "log4j2.properties").write_text("stock\n")
    return root


def test_prepare_copies_stock_config_once_and_writes_ours(tmp_path: Path) -> None:
    distribution = fake_distribution(tmp_path / "dist")
    layout = NodeLayout(tmp_path / "node")
    settings = LocalNodeSettings(port=19201, transport_port=19301, heap="256m")

    prepare(settings, distribution, layout)
    (layout.config / "log4j2.properties").write_text("edited\n")
    (layout.tmp / "left-over").write_text("from the last run\n")
    prepare(settings, distribution, layout)

    for folder in (layout.config, layout.data, layout.logs, layout.tmp):
        assert folder.is_dir()
    assert (layout.config / "log4j2.properties").read_text() == "edited\n"
    assert list(layout.tmp.iterdir()) == []
    assert (layout.config / "jvm.options").read_text() == "-XX:+UseG1GC\n"
    written = yaml.safe_load((layout.config / "elasticsearch.yml").read_text())
    assert written == {
        "cluster.name": "kikimimi-local",
        "node.name": "kikimimi-local-1",
        "path.data": str(layout.data),
        "path.logs": str(layout.logs),
        "network.host": "127.0.0.1",
        "http.port": 19201,
        "transport.port": 19301,
        "discovery.type": "single-node",
        "xpack.security.enabled": False,
        "cluster.routing.allocation.disk.threshold_enabled": False,
    }
    options = (layout.config / "jvm.options.d" / "kikimimi.options").read_text()
    assert options.split() == ["-Xms256m", "-Xmx256m"]
    tuned = settings.model_copy(update={"jvm_options": ["-XX:TieredStopAtLevel=1"]})
    prepare(tuned, distribution, layout)
    options = (layout.config / "jvm.options.d" / "kikimimi.options").read_text()
    assert options.split() == ["-Xms256m", "-Xmx256m", "-XX:TieredStopAtLevel=1"]


def test_a_cluster_member_finds_its_peers_instead_of_running_alone(tmp_path: Path) -> None:
    distribution = fake_distribution(tmp_path / "dist")
    layout = NodeLayout(tmp_path / "node")
    settings = LocalNodeSettings(port=19202, transport_port=19302)
    seeds = ("127.0.0.1:19301", "127.0.0.1:19302")
    master = Membership("kikimimi-local-1", seeds, ("kikimimi-local-1",))
    data = Membership("kikimimi-local-2", seeds, ("kikimimi-local-1",))

    prepare(settings, distribution, layout, data)
    written = yaml.safe_load((layout.config / "elasticsearch.yml").read_text())
    assert "discovery.type" not in written
    assert written["node.name"] == "kikimimi-local-2"
    assert written["discovery.seed_hosts"] == list(seeds)
    assert written["node.roles"] == ["data", "ingest"]
    assert "cluster.initial_master_nodes" not in written, "never on a node that is no master"

    prepare(settings, distribution, layout, master)
    written = yaml.safe_load((layout.config / "elasticsearch.yml").read_text())
    assert "node.roles" not in written, "a master-eligible member has every role"
    assert written["cluster.initial_master_nodes"] == ["kikimimi-local-1"]

    layout.formed_marker.touch()
    prepare(settings, distribution, layout, master)
    written = yaml.safe_load((layout.config / "elasticsearch.yml").read_text())
    assert "cluster.initial_master_nodes" not in written, "bootstrapped once only"
