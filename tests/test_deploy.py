"""Beyond one server: the nginx recipe (deploy/) renders, validates, and keeps each browser on one replica,
websocket included (tested with 2 replicas behind Debian's nginx; skipped with a message without nginx)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from browser_support import CHROMIUM, Page, _free_port

from core import paths

sys.path.insert(0, str(paths.ROOT / "deploy"))
from serve_class import render, serve

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
needs_nginx = pytest.mark.skipif(NGINX is None, reason="nginx not installed (apt-get install nginx)")


def test_the_template_renders_every_placeholder(tmp_path):
    text = render(8080, [8081, 8082, 8083], tmp_path)
    assert "{{" not in text and text.count("server 127.0.0.1:") == 3 and "listen 8080;" in text
    assert "hash $replica_key consistent" in text and "proxy_set_header Upgrade" in text


@needs_nginx
def test_nginx_accepts_the_rendered_configuration(tmp_path):
    (tmp_path / "nginx.conf").write_text(render(_free_port(), [_free_port(), _free_port()], tmp_path))
    done = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr


def _get(url: str, cookie: str | None = None) -> tuple[int, str, str]:
    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, r.headers.get("X-Replica", ""), r.headers.get("Set-Cookie", "")


@needs_nginx
@pytest.mark.browser
def test_two_replicas_behind_nginx_keep_each_browser_on_one(tmp_path, request):
    with serve(2, _free_port(), tmp_path / "logs") as url:
        first = [_get(url + "/") for _ in range(16)]
        assert all(status == 200 and cookie.startswith("dp_replica=") for status, _, cookie in first)
        assert len({replica for _, replica, _ in first}) == 2  # new browsers are spread over both replicas
        cookie = first[0][2].split(";")[0]
        assert {_get(url + "/", cookie)[1] for _ in range(8)} == {first[0][1]}  # one browser, one replica
        assert _get(url + "/_stcore/health", cookie)[0] == 200
        if CHROMIUM is None:
            pytest.skip("chromium not installed: the websocket through nginx was not tried")
        browser = request.getfixturevalue("browser")  # the suite's one Playwright (a second one would clash)
        tab = Page(browser, url)  # waits until the app's script has run: the websocket works through nginx
        try:
            tab.follow("3. Schedules", timeout=120)
            assert tab.page.locator("h1").first.inner_text().startswith("3. Schedules")
            assert not tab.errors, tab.errors
        finally:
            tab.page.close()


def test_a_busy_replica_port_is_replaced_by_a_free_one():
    import socket

    from serve_class import _ports

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        (chosen,) = _ports([taken])
        assert chosen != taken and chosen > 0


@needs_nginx
@pytest.mark.browser
@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server not installed (apt-get install redis-server)")
def test_a_class_spans_two_replicas_through_redis(tmp_path, request, monkeypatch):
    """``make serve-class`` starts redis-server for class mode: a lecturer on one replica leads a student on the other."""
    if CHROMIUM is None:
        pytest.skip("chromium not installed")
    monkeypatch.delenv("DIFFUSION_PLAYGROUND_CLASSES", raising=False)  # as a lecturer runs it: serve-class picks Redis
    with serve(2, _free_port(), tmp_path / "logs") as url:
        keys: dict[str, str] = {}  # a cookie that lands on each replica
        for k in range(64):
            keys.setdefault(_get(url + "/", f"dp_replica=k{k}")[1], f"k{k}")
        assert len(keys) == 2 and (tmp_path / "logs" / "redis").is_dir()
        browser = request.getfixturevalue("browser")
        host = url.split("//")[1].split(":")[0]
        pages = []
        for key in keys.values():
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            context.add_cookies([{"name": "dp_replica", "value": key, "domain": host, "path": "/"}])
            pages.append(context.new_page())
        lecturer, student = pages
        try:
            ready = "[data-testid='stApp'][data-test-script-state='notRunning']"
            lecturer.goto(url)
            lecturer.wait_for_selector(ready, timeout=120_000)
            lecturer.get_by_text("Class mode").first.click()
            lecturer.get_by_role("button", name="Start a class (lecturer)").click()
            lecturer.wait_for_function("location.search.includes('class=')", timeout=60_000)
            code = lecturer.url.split("class=")[1][:6]
            student.goto(f"{url}/?class={code}")
            student.wait_for_selector(".st-key-class_status", timeout=120_000)
            lecturer.get_by_role("link", name="3. Schedules").first.click()
            student.wait_for_function("location.pathname.endsWith('/schedules')", timeout=60_000)
        finally:
            for p in pages:
                p.context.close()
