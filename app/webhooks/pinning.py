"""An HTTP session that connects only to an address checked beforehand, so a host name cannot resolve to a
public address for the check and to a private one for the connection (DNS rebinding). TLS still checks the
certificate against the host name in the URL."""

from __future__ import annotations

import socket

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection


def _pinned_connection(base: type[HTTPConnection], address: str) -> type[HTTPConnection]:
    class Pinned(base):
        def _new_conn(self) -> socket.socket:
            try:
                return connection.create_connection((address, self.port), self.timeout,
                                                    source_address=self.source_address,
                                                    socket_options=self.socket_options)
            except TimeoutError as error:
                raise ConnectTimeoutError(self, f"Connection to {self.host} timed out.") from error
            except OSError as error:
                raise NewConnectionError(self, f"Failed to establish a new connection: {error}") from error

    return Pinned


class _PinnedAdapter(HTTPAdapter):
    def __init__(self, address: str):
        self.address = address
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        http = type("PinnedPool", (HTTPConnectionPool,), {
            "ConnectionCls": _pinned_connection(HTTPConnection, self.address)})
        https = type("PinnedTLSPool", (HTTPSConnectionPool,), {
            "ConnectionCls": _pinned_connection(HTTPSConnection, self.address)})
        self.poolmanager.pool_classes_by_scheme = {"http": http, "https": https}


def pinned_session(address: str) -> requests.Session:
    """A session whose every connection goes to `address`, with no proxy from the environment."""
    session = requests.Session()
    session.trust_env = False
    adapter = _PinnedAdapter(address)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
