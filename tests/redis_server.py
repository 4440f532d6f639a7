"""A real ``redis-server`` (Debian's, installed by setup) on a free port in a folder of its
own: started, stopped, killed and restarted on the same data by the tests."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

REDIS_SERVER = shutil.which(os.environ.get("KIKIMIMI_REDIS_SERVER", "redis-server"))
START_TIMEOUT_SECONDS = 20.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RedisServer:
    """One ``redis-server`` process on 127.0.0.1, its data in ``directory``.

    Without ``appendonly`` nothing is written to disk (``--save ''``): a stop loses
    everything. With it, every write is appended and fsynced before the reply
    (``appendfsync always``), so a restart on the same ``directory`` keeps all that was
    acknowledged. With ``password``, clients must sign in (``requirepass``); with
    ``certificate`` (certificate and key files), the port speaks TLS only."""

    directory: Path
    appendonly: bool = False
    password: str | None = None
    certificate: tuple[Path, Path] | None = None
    port: int = field(default_factory=free_port)
    _process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        scheme = "rediss" if self.certificate else "redis"
        return f"{scheme}://127.0.0.1:{self.port}/0"

    @property
    def log(self) -> Path:
        return self.directory / "redis.log"

    def start(self) -> RedisServer:
        """Start the server and wait until it answers PING."""
        if REDIS_SERVER is None:
            raise RuntimeError("redis-server is missing: install Debian's redis-server")
        self.directory.mkdir(parents=True, exist_ok=True)
        options = {
            **self._port_options(),
            "bind": "127.0.0.1",
            "dir": str(self.directory),
            "save": "",
            "appendonly": "yes" if self.appendonly else "no",
            "appendfsync": "always",
            "logfile": str(self.log),
            "daemonize": "no",
            **({"requirepass": self.password} if self.password else {}),
        }
        self._process = subprocess.Popen(
            [
                REDIS_SERVER,
                *(part for name, value in options.items() for part in (f"--{name}", value)),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self.answers():
            if self._process.poll() is not None or time.monotonic() > deadline:
                tail = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
                self.kill()
                raise RuntimeError(f"redis-server did not start on port {self.port}:\n{tail}")
            time.sleep(0.02)
        return self

    def _port_options(self) -> dict[str, str]:
        if self.certificate is None:
            return {"port": str(self.port)}
        cert_file, key_file = self.certificate
        return {
            "port": "0",
            "tls-port": str(self.port),
            "tls-cert-file": str(cert_file),
            "tls-key-file": str(key_file),
            "tls-ca-cert-file": str(cert_file),
            "tls-auth-clients": "no",
        }

    def answers(self) -> bool:
        """Whether the server answers PING (PONG, or asks to sign in first; not loading)."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as plain:
                sock = plain
                if self.certificate is not None:
                    context = ssl.create_default_context(cafile=str(self.certificate[0]))
                    sock = context.wrap_socket(plain, server_hostname="127.0.0.1")
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith((b"+PONG", b"-NOAUTH"))
        except OSError:
            return False

    def stop(self) -> None:
        """Shut the server down cleanly (SIGTERM; with append-only, the file is complete)."""
        if self._process is not None:
            self._process.send_signal(signal.SIGTERM)
            self._process.wait(timeout=30)
            self._process = None

    def kill(self) -> None:
        """``kill -9``: gone at once, nothing flushed beyond what was already."""
        if self._process is not None:
            self._process.kill()
            self._process.wait(timeout=30)
            self._process = None

    def restart(self, *, appendonly: bool | None = None) -> RedisServer:
        """Stop (if running) and start again on the same port and directory."""
        self.stop()
        if appendonly is not None:
            self.appendonly = appendonly
        return self.start()
