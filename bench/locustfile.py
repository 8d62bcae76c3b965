"""Staff reading pages: the users of the load test (``locust -f bench/locustfile.py``).

bench/bench_load.py signs every user in beforehand (the sign-in is not what is measured)
and hands over, in the JSON file named by ``BENCH_SESSIONS``, one entry per user: its
session cookie and the pages it reads, with weights. Each user reads a page, pauses as a
person would (``BENCH_THINK``, seconds, default ``1,3``), and reads the next.
"""

from __future__ import annotations

import itertools
import json
import os
import random

from locust import FastHttpUser, between, task

USER_AGENT = "kc-referrals-bench/1"  # must match bench/client.py: sessions are tied to it

with open(os.environ["BENCH_SESSIONS"], encoding="utf-8") as handle:
    _SESSIONS = itertools.cycle(json.load(handle))
_THINK = [float(part) for part in os.environ.get("BENCH_THINK", "1,3").split(",")]


class Staff(FastHttpUser):
    wait_time = between(_THINK[0], _THINK[-1])

    def on_start(self) -> None:
        session = next(_SESSIONS)
        self.headers = {"Cookie": session["cookie"], "User-Agent": USER_AGENT}
        self.pages = [(page["path"], page["name"]) for page in session["pages"]]
        self.weights = [page["weight"] for page in session["pages"]]

    @task
    def read_a_page(self) -> None:
        path, name = random.choices(self.pages, self.weights)[0]
        with self.client.get(
            path, headers=self.headers, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} from {name}")
