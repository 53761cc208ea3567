"""A Unix-socket DATABASE_URL (the embedded server's) keeps its socket folder in HOST, so
that everything derived from the settings (pg_dump -h, the fault tests' servers) finds it."""

from neiqiao.embedded_db import database_config
from tests.faults.conftest import database_url


def test_a_socket_url_puts_the_folder_in_host_and_round_trips():
    url = "postgres://postgres@/neiqiao?host=/srv/neiqiao/var/pgdata"
    config = database_config(url)
    assert config["HOST"] == "/srv/neiqiao/var/pgdata"
    assert "host" not in config.get("OPTIONS", {})
    assert database_config(database_url(config))["HOST"] == "/srv/neiqiao/var/pgdata"


def test_a_tcp_url_is_unchanged():
    config = database_config("postgres://postgres@127.0.0.1:5432/neiqiao")
    assert (config["HOST"], str(config["PORT"]), config["NAME"]) == ("127.0.0.1", "5432", "neiqiao")
