"""Start, stop and inspect one local Elasticsearch node: a single node, or a cluster's member."""

from __future__ import annotations

import os
import subprocess
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from config import LocalNodeSettings, default_cache_dir
from core import ElasticsearchNodeError, NodeStartError

from . import account, nodeconfig, probe, process
from .distribution import ensure_distribution
from .java import JavaRuntime, find_java

_HEALTHY = frozenset({"yellow", "green"})
_POLL_SECONDS = 0.5
_LOG_TAIL_LINES = 40
_STOP_TIMEOUT_SECONDS = 30.0
_UNSET_VARIABLES = ("JAVA_HOME", "ES_JAVA_OPTS", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS")


@dataclass(frozen=True)
class NodeStatus:
    """What is known about the node: its process and what it answers over HTTP."""

    running: bool
    pid: int | None
    url: str
    health: str | None
    version: str | None
    directory: Path
    name: str
    master_eligible: bool


class LocalNode:
    """An Elasticsearch node on 127.0.0.1 whose files all live in ``directory``: a single
    node, or with ``membership`` one member of a local cluster (:class:`LocalCluster`)."""

    def __init__(
        self,
        settings: LocalNodeSettings,
        directory: Path,
        cache_dir: Path | None = None,
        progress: Callable[[str], None] | None = None,
        membership: nodeconfig.Membership | None = None,
    ) -> None:
        self._settings = settings
        self._layout = nodeconfig.NodeLayout(directory.absolute())
        self._cache_dir = cache_dir if cache_dir is not None else default_cache_dir()
        self._progress = progress if progress is not None else _ignore
        self._membership = membership
        self._process: subprocess.Popen[bytes] | None = None
        self._launched_at: float | None = None

    @property
    def name(self) -> str:
        """The node's ``node.name``."""
        return nodeconfig.NODE_NAME if self._membership is None else self._membership.node_name

    @property
    def master_eligible(self) -> bool:
        """Whether the node may be elected master (a single node always is)."""
        return self._membership is None or self._membership.master_eligible

    @property
    def url(self) -> str:
        """The node's HTTP address."""
        return f"http://127.0.0.1:{self._settings.port}"

    def status(self) -> NodeStatus:
        """The node as its pid file and its HTTP endpoint describe it."""
        pid = self._live_pid()
        answering = pid is not None
        return NodeStatus(
            running=answering,
            pid=pid,
            url=self.url,
            health=probe.cluster_health(self.url) if answering else None,
            version=probe.node_version(self.url) if answering else None,
            directory=self._layout.root,
            name=self.name,
            master_eligible=self.master_eligible,
        )

    def start(self) -> NodeStatus:
        """Start the node and wait until it is yellow or green; a running node is reused."""
        self.launch()
        return self.wait_until_healthy()

    def launch(self) -> bool:
        """Start the node's process unless it runs already, without waiting for it; True if
        it was started. :meth:`wait_until_healthy` waits for it."""
        if self._live_pid() is not None:
            return False
        self._layout.pid_file.unlink(missing_ok=True)
        self._check_ports_free()
        java = find_java(self._settings.java_home)
        self._progress(f"using Java {java.version} from {java.home} ({java.source})")
        distribution = ensure_distribution(self._settings, self._cache_dir, self._progress)
        nodeconfig.prepare(self._settings, distribution, self._layout, self._membership)
        self._progress(
            f"starting Elasticsearch {self._settings.version} on {self.url} "
            f"(files in {self._layout.root}) …"
        )
        self._launched_at = time.monotonic()
        self._launch(distribution, java)
        return True

    def wait_until_healthy(self) -> NodeStatus:
        """Wait until the running node's cluster is yellow or green. A node that this object
        launched and that dies or stays unhealthy is stopped; :class:`NodeStartError` says why."""
        launched_at, self._launched_at = self._launched_at, None
        launched = self._process if launched_at is not None else None
        pid = launched.pid if launched is not None else self._live_pid()
        if pid is None:
            raise NodeStartError(f"Elasticsearch does not run on {self.url}", self._log_tail())
        try:
            self._await_health(pid, time.monotonic() if launched_at is None else launched_at)
        except NodeStartError:
            if launched_at is not None:
                process.stop_group(pid, _STOP_TIMEOUT_SECONDS)  # also when the launcher is gone
                self.stop()
            raise
        if self._membership is not None:
            self._layout.formed_marker.touch()  # its cluster has a master: it has formed
        if launched_at is not None:
            self._progress(f"healthy after {time.monotonic() - launched_at:.1f} s")
        return self.status()

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop the node (SIGTERM, then SIGKILL after ``timeout``); True if it was running."""
        pid = self._live_pid()
        if pid is not None:
            process.stop_group(pid, timeout)
        if self._process is not None:
            self._process.poll()
            self._process = None
        self._layout.pid_file.unlink(missing_ok=True)
        return pid is not None

    def _live_pid(self) -> int | None:
        """The pid from the pid file if that process is still our Elasticsearch."""
        pid = process.read_pid(self._layout.pid_file)
        return pid if pid is not None and process.is_elasticsearch(pid) else None

    def _check_ports_free(self) -> None:
        """Fail clearly when something else already listens on our HTTP or transport port."""
        for setting, port in (
            ("port", self._settings.port),
            ("transport_port", self._settings.transport_port),
        ):
            if not probe.port_in_use(port):
                continue
            version = probe.node_version(self.url) if setting == "port" else None
            what = f"an Elasticsearch {version}" if version else "another program"
            raise ElasticsearchNodeError(
                f"port {port} on 127.0.0.1 is already taken by {what} not started from "
                f"{self._layout.root}; stop it or set elasticsearch.local.{setting} "
                "to a free port"
            )

    def _launch(self, distribution: Path, java: JavaRuntime) -> int:
        """Spawn bin/elasticsearch in its own session, as an unprivileged user if we are root."""
        env = {k: v for k, v in os.environ.items() if k not in _UNSET_VARIABLES}
        env |= {
            "ES_JAVA_HOME": str(java.home),
            "ES_PATH_CONF": str(self._layout.config),
            "ES_TMPDIR": str(self._layout.tmp),
            # The launcher leaves a final-flags* folder in its temp dir on every start.
            "CLI_JAVA_OPTS": f"-Djava.io.tmpdir={self._layout.tmp}",
        }
        run_as: account.Account | None = None
        if os.geteuid() == 0:
            run_as = account.ensure_account(self._settings.run_as_user)
            account.chown_tree(self._layout.root, run_as)
            account.check_reachable(
                run_as,
                {
                    "Elasticsearch distribution": distribution,
                    "Java home": java.home,
                    "node directory": self._layout.root,
                },
            )
        with self._layout.stdout_log.open("wb") as log:
            if run_as is not None:
                os.chown(self._layout.stdout_log, run_as.uid, run_as.gid)
            self._process = subprocess.Popen(
                [str(distribution / "bin" / "elasticsearch")],
                cwd=self._layout.root,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                user=run_as.uid if run_as else None,
                group=run_as.gid if run_as else None,
                extra_groups=[] if run_as else None,
            )
        process.write_pid(self._layout.pid_file, self._process.pid)
        return self._process.pid

    def _await_health(self, pid: int, started: float) -> None:
        """Poll cluster health until yellow or green; raise if the node dies or times out."""
        timeout = self._settings.startup_timeout_seconds
        while True:
            if not self._alive(pid):
                code = self._process.returncode if self._process is not None else None
                status = f" with status {code}" if code is not None else ""
                raise NodeStartError(
                    f"Elasticsearch (pid {pid}) exited{status} during startup", self._log_tail()
                )
            if probe.cluster_health(self.url) in _HEALTHY:
                return
            if time.monotonic() - started > timeout:
                raise NodeStartError(
                    f"Elasticsearch did not become healthy within {timeout:g} s on {self.url}",
                    self._log_tail(),
                )
            time.sleep(_POLL_SECONDS)

    def _alive(self, pid: int) -> bool:
        if self._process is not None and self._process.pid == pid:
            return self._process.poll() is None
        return process.is_elasticsearch(pid)

    def _log_tail(self) -> str:
        try:
            with self._layout.stdout_log.open(encoding="utf-8", errors="replace") as log:
                return "".join(deque(log, maxlen=_LOG_TAIL_LINES))
        except OSError:
            return ""


def _ignore(message: str) -> None:
    """The default progress callback: say nothing."""
