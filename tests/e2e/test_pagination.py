#!/usr/bin/env python3
"""Pagination through the real binary (spec §4.1, run_finished of §10).

A loopback server serves 3-page chains in each mode (next_url, link_header,
cursor, page, offset); each test runs `sluiced run --once` with a stdout sink
and checks the exact output, the exact URLs requested, and the events.
"""
import gzip
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ServedTest  # noqa: E402
from http_server import Reply, redirect  # noqa: E402

JSON = [("Content-Type", "application/json")]


def page(records, **extra):
    """A JSON body {"data": records, ...extra} as text."""
    return json.dumps({"data": records, **extra}, separators=(",", ":"))


def ids(*ns):
    return [{"id": n} for n in ns]


def out_of(*ns):
    return "".join('{"id":%d}\n' % n for n in ns)


class PaginationTest(ServedTest):
    # ---- helpers ----------------------------------------------------------

    def p(self, path=""):
        """A server path private to this test."""
        return self.prefix + path

    def url(self, path=""):
        return self.server.url(self.p(path))

    def serve(self, path, *replies):
        self.server.route(self.p(path), *replies)

    def requested(self):
        """Paths (with query) this test's requests were sent to, in order."""
        return [r.path for r in self.server.requests if r.path.startswith(self.prefix)]

    def pipeline(self, url, paginate, http_extra="", sink="{ stdout: {} }", name="p.yaml"):
        """Pipeline `p` on `url` with `paginate` (YAML flow text) and records at .data."""
        text = (
            "pipelines:\n"
            "  p:\n"
            "    source:\n"
            "      http:\n"
            f"        url: \"{url}\"\n"
            "        records: .data\n"
            "        retry: { attempts: 2, backoff: 10ms, max_backoff: 20ms }\n"
            f"        paginate: {paginate}\n"
            + "".join(f"        {l}\n" for l in http_extra.strip("\n").splitlines() if l.strip())
            + f"    sink: {sink}\n"
        )
        return self.write(name, text)

    def run_ok(self, url, paginate, http_extra=""):
        r = self.run_once(self.pipeline(url, paginate, http_extra))
        self.assertEqual(r.rc, 0, r)
        return r

    def assert_no_warnings(self, r, *names):
        for n in names:
            self.assertEqual(r.events_named(n), [], r)

    # ---- next_url -----------------------------------------------------------

    def test_next_url_absolute_three_pages(self):
        bodies = [page(ids(1, 2), links={"next": self.url("/p2")}),
                  page(ids(3), links={"next": self.url("/p3")}),
                  page(ids(4, 5), links={"next": None})]
        for i, b in enumerate(bodies):
            self.serve(f"/p{i + 1}", Reply(200, JSON, b))
        r = self.run_ok(self.url("/p1"), "{ next_url: .links.next }",
                        'query: { limit: "2" }\nheaders: { X-Key: k1 }\nauth: { bearer: b1 }')
        self.assertEqual(r.stdout, out_of(1, 2, 3, 4, 5))
        # headers and auth go with every page
        for q in self.server.requests[-3:]:
            self.assertEqual((q.header("X-Key"), q.header("Authorization")), ("k1", "Bearer b1"))
        # `query` is on the first request only: next URLs are used as given.
        self.assertEqual(self.requested(), [self.p("/p1?limit=2"), self.p("/p2"), self.p("/p3")])
        fin = r.event("run_finished", "p")
        self.assertEqual(fin["pages"], 3)
        self.assertEqual(fin["bytes"], sum(len(b) for b in bodies))
        self.assertEqual((fin["records_in"], fin["records_out"]), (5, 5))
        self.assert_no_warnings(r, "max_pages_reached", "pagination_loop")

    def test_next_url_stops_on_null_empty_or_missing(self):
        for stop, links in (("null", {"next": None}), ("empty", {"next": ""}), ("missing", {}),
                            ("no-links", None)):
            with self.subTest(stop=stop):
                self.server.clear_requests()
                last = page(ids(3), links=links) if links is not None else page(ids(3))
                self.serve(f"/{stop}/a", Reply(200, JSON, page(ids(1), links={"next": self.url(f"/{stop}/b")})))
                self.serve(f"/{stop}/b", Reply(200, JSON, page(ids(2), links={"next": self.url(f"/{stop}/c")})))
                self.serve(f"/{stop}/c", Reply(200, JSON, last))
                r = self.run_ok(self.url(f"/{stop}/a"), "{ next_url: .links.next }")
                self.assertEqual(r.stdout, out_of(1, 2, 3))
                self.assertEqual(r.event("run_finished")["pages"], 3)
                self.assertEqual(len(self.requested()), 3)

    def test_next_url_relative_resolves_against_current_url(self):
        # /d1/a -> "b?x=1" (same directory) -> "../d2/c" (parent) -> stop.
        self.serve("/d1/a", Reply(200, JSON, page(ids(1), links={"next": "b?x=1"})))
        self.serve("/d1/b", Reply(200, JSON, page(ids(2), links={"next": "../d2/c"})))
        self.serve("/d2/c", Reply(200, JSON, page(ids(3), links={"next": None})))
        r = self.run_ok(self.url("/d1/a"), "{ next_url: .links.next }", 'query: { q: "v" }')
        self.assertEqual(r.stdout, out_of(1, 2, 3))
        self.assertEqual(self.requested(), [self.p("/d1/a?q=v"), self.p("/d1/b?x=1"), self.p("/d2/c")])

    def test_next_url_relative_query_only_and_absolute_path(self):
        # "?page=2" keeps the path and replaces the query; "/abs" is from the root.
        self.serve("/list", Reply(200, JSON, page(ids(1), links={"next": "?page=2"})),
                   Reply(200, JSON, page(ids(2), links={"next": self.p("/other")})))
        self.serve("/other", Reply(200, JSON, page(ids(3))))
        r = self.run_ok(self.url("/list"), "{ next_url: .links.next }", 'query: { limit: "2" }')
        self.assertEqual(r.stdout, out_of(1, 2, 3))
        self.assertEqual(self.requested(), [self.p("/list?limit=2"), self.p("/list?page=2"), self.p("/other")])

    def test_next_url_relative_resolves_after_redirect(self):
        # The first page redirects from /a/start to /b/p1: "p2" is /b/p2, not /a/p2.
        # The second page is redirected again, to /c/p2: its "p3" is /c/p3.
        self.serve("/a/start", redirect(self.p("/b/p1")))
        self.serve("/b/p1", Reply(200, JSON, page(ids(1), links={"next": "p2"})))
        self.serve("/a/p2", Reply(200, JSON, page(ids(99))))  # the wrong resolution
        self.serve("/b/p2", redirect(self.url("/c/p2"), status=301))
        self.serve("/c/p2", Reply(200, JSON, page(ids(2), links={"next": "p3"})))
        self.serve("/c/p3", Reply(200, JSON, page(ids(3))))
        r = self.run_ok(self.url("/a/start"), "{ next_url: .links.next }")
        self.assertEqual(r.stdout, out_of(1, 2, 3))
        self.assertEqual(self.requested(),
                         [self.p(x) for x in ("/a/start", "/b/p1", "/b/p2", "/c/p2", "/c/p3")])
        # Redirects are inside one request: 3 pages.
        self.assertEqual(r.event("run_finished")["pages"], 3)

    def test_next_url_to_ftp_is_not_followed(self):
        self.serve("/a", Reply(200, JSON, page(ids(1), links={"next": "ftp://127.0.0.1:%d/x" % self.server.port})))
        r = self.run_once(self.pipeline(self.url("/a"), "{ next_url: .links.next }"))
        self.assertEqual(self.requested(), [self.p("/a")])
        # Only http(s) is ever fetched (§4): like a redirect to ftp, the run fails.
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(r.stdout, "")
        self.assertIn("http", r.event("run_failed", "p")["error"])

    # ---- link_header ----------------------------------------------------------

    def test_link_header_three_pages_rfc8288(self):
        port = self.server.port
        self.serve("/l1", Reply(200, [("Content-Type", "application/json"),
                                      # several links in one header; commas and semicolons inside <>
                                      ("Link", f'<http://127.0.0.1:{port}{self.p("/l0")}>; rel="prev", '
                                               f'<http://127.0.0.1:{port}{self.p("/l2")}?a=1,2;b=3>; rel="next"')],
                                page(ids(1))))
        self.serve("/l2", Reply(200, [("Content-Type", "application/json"),
                                      # several Link headers; the first has no next
                                      ("Link", f'<{self.p("/l1")}>; rel="first"'),
                                      # rel after another parameter whose quoted value has , ; and rel=next;
                                      # several relation types, upper case; relative target
                                      ("link", '<l3;v=1>; title="a, b; rel=next"; REL="last NEXT"')],
                                page(ids(2))))
        self.serve("/l3;v=1", Reply(200, [("Content-Type", "application/json"),
                                      # neither "nextpage" nor a title mentioning next is rel next
                                      ("Link", '<l4>; rel="nextpage prev", <l5>; title="next"; rel=prev')],
                                page(ids(3))))
        r = self.run_ok(self.url("/l1"), "{ link_header: next }", 'query: { limit: "2" }')
        self.assertEqual(r.stdout, out_of(1, 2, 3))
        self.assertEqual(self.requested(), [self.p("/l1?limit=2"), self.p("/l2?a=1,2;b=3"), self.p("/l3;v=1")])
        self.assertEqual(r.event("run_finished")["pages"], 3)

    def test_link_header_parameters_in_any_order_and_unquoted(self):
        self.serve("/a", Reply(200, [("Link", '<b>; type="application/json"; rel=next; title=x')], page(ids(1))))
        self.serve("/b", Reply(200, [("Link", '<c>;rel="Next";anchor="#"')], page(ids(2))))
        self.serve("/c", Reply(200, [("Link", '<a>; rel="previous"')], page(ids(3))))
        r = self.run_ok(self.url("/a"), "{ link_header: next }")
        self.assertEqual(r.stdout, out_of(1, 2, 3))
        self.assertEqual(self.requested(), [self.p("/a"), self.p("/b"), self.p("/c")])

    def test_link_header_variants(self):
        # (Link header values, followed target or None)
        cases = [
            (['<b>;rel=next,<c>;rel=prev'], "b"),
            (['<c>;rel=prev,<b>;rel=next'], "b"),
            (['<b>; rel="next" , <c>; rel="prev"'], "b"),
            (['junk; x=1, <b>; rel=next'], "b"),
            (['<b>; crossorigin; rel=next'], "b"),
            (["<b>; title*=UTF-8'de'n%c3%a4chstes; rel=next"], "b"),
            (['<b>; title="a\\\\"; rel=next'], "b"),           # title is a\ : the quote closes after it
            (['<c>; title="say \\"hi, <b>; rel=next\\""; rel=prev'], None),  # escaped quotes inside
            (['<c>; title="x, <b>; rel=next"'], None),
            (['<b>; rel="next"; rel="prev"'], "b"),               # the first rel counts (RFC 8288 3.3)
            (['<c>; rel="prev"; rel="next"'], None),
            (['<c>; rel='], None),
            (['<c>; rel="next-page"', '<b>; rel="alternate  NeXt"'], "b"),
            (['<c>; rel="prev"', '', '<b>; rel=next'], "b"),
        ]
        for i, (values, target) in enumerate(cases):
            with self.subTest(values=values):
                base = f"/v{i}"
                self.serve(base + "/a", Reply(200, [("Link", v) for v in values], page(ids(1))))
                self.serve(base + "/b", Reply(200, JSON, page(ids(2))))
                self.serve(base + "/c", Reply(200, JSON, page(ids(3))))
                r = self.run_ok(self.url(base + "/a"), "{ link_header: next }")
                got = [q for q in self.requested() if q.startswith(self.p(base + "/"))]
                want = [self.p(base + "/a")] + ([self.p(base + "/" + target)] if target else [])
                self.assertEqual(got, want, r)

    def test_link_header_other_rel_name(self):
        self.serve("/a", Reply(200, [("Link", '<b>; rel="next", <c>; rel="more"')], page(ids(1))))
        self.serve("/c", Reply(200, [("Link", '<d>; rel="next"')], page(ids(2))))
        r = self.run_ok(self.url("/a"), "{ link_header: MORE }")
        self.assertEqual(r.stdout, out_of(1, 2))
        self.assertEqual(self.requested(), [self.p("/a"), self.p("/c")])

    def test_link_header_relative_after_redirect(self):
        self.serve("/x/start", redirect(self.p("/y/p1")))
        self.serve("/y/p1", Reply(200, [("Link", '<p2>; rel="next"')], page(ids(1))))
        self.serve("/y/p2", Reply(200, [("Link", '<./p3?z=%20>; rel="next"')], page(ids(2))))
        self.serve("/y/p3", Reply(200, JSON, page(ids(3))))
        r = self.run_ok(self.url("/x/start"), "{ link_header: next }")
        self.assertEqual(r.stdout, out_of(1, 2, 3))
        self.assertEqual(self.requested(), [self.p("/x/start"), self.p("/y/p1"), self.p("/y/p2"), self.p("/y/p3?z=%20")])

    # ---- cursor -----------------------------------------------------------------

    def test_cursor_three_pages(self):
        pages = {None: page(ids(1), meta={"next": "c 2/+"}),
                 "c 2/+": page(ids(2), meta={"next": 7}),
                 "7": page(ids(3), meta={"next": None})}

        def answer(rec):
            from urllib.parse import parse_qs, urlsplit
            q = parse_qs(urlsplit(rec.path).query)
            return Reply(200, JSON, pages[q["cursor"][0] if "cursor" in q else None])

        self.serve("/c", answer)
        r = self.run_ok(self.url("/c?fixed=1"), "{ cursor: { param: cursor, from: .meta.next } }",
                        'query: { limit: "2" }')
        self.assertEqual(r.stdout, out_of(1, 2, 3))
        # The parameter is set on the first request's URL (its query kept); a
        # number cursor is sent as its JSON text.
        self.assertEqual(self.requested(), [self.p("/c?fixed=1&limit=2"), self.p("/c?fixed=1&limit=2&cursor=c+2%2F%2B"),
                                            self.p("/c?fixed=1&limit=2&cursor=7")])
        self.assertEqual(r.event("run_finished")["pages"], 3)

    def test_cursor_replaces_a_parameter_already_in_the_url(self):
        self.serve("/c", Reply(200, JSON, page(ids(1), next="b")), Reply(200, JSON, page(ids(2), next="c")),
                   Reply(200, JSON, page(ids(3), next="")))
        r = self.run_ok(self.url("/c?cursor=a&x=1"), "{ cursor: { param: cursor, from: .next } }")
        self.assertEqual(r.stdout, out_of(1, 2, 3))
        self.assertEqual(self.requested(), [self.p("/c?cursor=a&x=1"), self.p("/c?cursor=b&x=1"), self.p("/c?cursor=c&x=1")])

    def test_cursor_stops_on_null_empty_or_missing(self):
        for stop, last in (("null", page(ids(3), next=None)), ("empty", page(ids(3), next="")),
                           ("missing", page(ids(3)))):
            with self.subTest(stop=stop):
                self.serve(f"/{stop}", Reply(200, JSON, page(ids(1), next="x")), Reply(200, JSON, page(ids(2), next="y")),
                           Reply(200, JSON, last), Reply(200, JSON, page(ids(9), next="z")))
                r = self.run_ok(self.url(f"/{stop}"), "{ cursor: { param: after, from: .next } }")
                self.assertEqual(r.stdout, out_of(1, 2, 3))
                self.assertEqual(r.event("run_finished")["pages"], 3)
                self.assertEqual([q for q in self.requested() if q.startswith(self.p(f"/{stop}"))],
                                 [self.p(f"/{stop}"), self.p(f"/{stop}?after=x"), self.p(f"/{stop}?after=y")])

    def test_cursor_loop(self):
        self.serve("/c", Reply(200, JSON, page(ids(1), next="a")), Reply(200, JSON, page(ids(2), next="b")),
                   Reply(200, JSON, page(ids(3), next="a")), Reply(200, JSON, page(ids(9), next=None)))
        r = self.run_ok(self.url("/c"), "{ cursor: { param: cursor, from: .next } }")
        self.assertEqual(r.stdout, out_of(1, 2, 3))
        self.assertEqual(self.requested(), [self.p("/c"), self.p("/c?cursor=a"), self.p("/c?cursor=b")])
        self.assertEqual(r.event("pagination_loop", "p")["level"], "warn")
        self.assertEqual(r.event("run_finished")["pages"], 3)

    def test_cursor_equal_to_the_first_requests_cursor_is_a_loop(self):
        # The first URL carries cursor=a; the response's next cursor is "a"
        # again: that cursor (and that URL) was already requested (§4.1).
        self.serve("/c", Reply(200, JSON, page(ids(1), next="a")), Reply(200, JSON, page(ids(9), next="a")))
        r = self.run_ok(self.url("/c?cursor=a"), "{ cursor: { param: cursor, from: .next } }")
        self.assertEqual(self.requested(), [self.p("/c?cursor=a")])
        self.assertEqual(r.stdout, out_of(1))
        r.event("pagination_loop", "p")

    # ---- page -------------------------------------------------------------------

    def test_page_start_defaults_to_1_and_zero_records_stop(self):
        self.serve("/pg", Reply(200, JSON, page(ids(1, 2))), Reply(200, JSON, page(ids(3))),
                   Reply(200, JSON, page([])), Reply(200, JSON, page(ids(9))))
        r = self.run_ok(self.url("/pg"), "{ page: { param: page } }", 'query: { limit: "2", q: "a b" }')
        self.assertEqual(r.stdout, out_of(1, 2, 3))
        self.assertEqual(self.requested(), [self.p("/pg?limit=2&q=a+b&page=1"), self.p("/pg?limit=2&q=a+b&page=2"),
                                            self.p("/pg?limit=2&q=a+b&page=3")])
        fin = r.event("run_finished")
        self.assertEqual((fin["pages"], fin["records_in"]), (3, 3))

    def test_page_explicit_start(self):
        self.serve("/pg", Reply(200, JSON, page(ids(1))), Reply(200, JSON, page(ids(2))), Reply(200, JSON, page([])))
        r = self.run_ok(self.url("/pg"), "{ page: { param: p, start: 0 } }")
        self.assertEqual(r.stdout, out_of(1, 2))
        self.assertEqual(self.requested(), [self.p("/pg?p=0"), self.p("/pg?p=1"), self.p("/pg?p=2")])

    def test_page_zero_records_via_missing_records_path_stops(self):
        self.serve("/pg", Reply(200, JSON, page(ids(1))), Reply(200, JSON, "{}"), Reply(200, JSON, page(ids(9))))
        r = self.run_ok(self.url("/pg"), "{ page: { param: page } }")
        self.assertEqual(r.stdout, out_of(1))
        self.assertEqual(self.requested(), [self.p("/pg?page=1"), self.p("/pg?page=2")])

    # ---- offset -------------------------------------------------------------------

    def test_offset_with_limit_param_short_page_stops(self):
        self.serve("/o", Reply(200, JSON, page(ids(1, 2))), Reply(200, JSON, page(ids(3, 4))),
                   Reply(200, JSON, page(ids(5))), Reply(200, JSON, page(ids(9))))
        r = self.run_ok(self.url("/o"), "{ offset: { param: offset, limit_param: limit, limit: 2 } }",
                        'query: { q: "x" }')
        self.assertEqual(r.stdout, out_of(1, 2, 3, 4, 5))
        self.assertEqual(self.requested(), [self.p("/o?q=x&offset=0&limit=2"), self.p("/o?q=x&offset=2&limit=2"),
                                            self.p("/o?q=x&offset=4&limit=2")])
        self.assertEqual(r.event("run_finished")["pages"], 3)

    def test_offset_without_limit_param_and_empty_last_page(self):
        self.serve("/o", Reply(200, JSON, page(ids(1, 2, 3))), Reply(200, JSON, page(ids(4, 5, 6))),
                   Reply(200, JSON, page([])), Reply(200, JSON, page(ids(9))))
        r = self.run_ok(self.url("/o"), "{ offset: { param: skip, limit: 3 } }")
        self.assertEqual(r.stdout, out_of(1, 2, 3, 4, 5, 6))
        self.assertEqual(self.requested(), [self.p("/o?skip=0"), self.p("/o?skip=3"), self.p("/o?skip=6")])

    # ---- query and the incremental parameter ---------------------------------------

    def test_incremental_param_not_added_to_next_url_or_link(self):
        for mode, paginate, first_headers, first_body in (
                ("next_url", "{ next_url: .next }", JSON, json.dumps({"data": ids(1), "next": "two"})),
                ("link", "{ link_header: next }", [("Link", '<two>; rel="next"')], page(ids(1)))):
            with self.subTest(mode=mode):
                self.serve(f"/{mode}/one", Reply(200, first_headers, first_body))
                self.serve(f"/{mode}/two", Reply(200, JSON, page(ids(2))))
                extra = ('query: { limit: "5" }\n'
                         'incremental: { cursor: .id, param: since, initial: "2024-01-01T00:00:00Z" }')
                r = self.run_once(self.pipeline(self.url(f"/{mode}/one"), paginate, extra),
                                  extra=("--state-dir", self.path("state", mode)))
                self.assertEqual(r.rc, 0, r)
                self.assertEqual(r.stdout, out_of(1, 2))
                self.assertEqual([q for q in self.requested() if q.startswith(self.p(f"/{mode}/"))],
                                 [self.p(f"/{mode}/one?limit=5&since=2024-01-01T00%3A00%3A00Z"), self.p(f"/{mode}/two")])

    def test_incremental_param_kept_for_cursor_page_offset(self):
        since = "since=2024-01-01T00%3A00%3A00Z"
        for mode, paginate, replies, expected in (
                ("cursor", "{ cursor: { param: c, from: .next } }",
                 [page(ids(1), next="k"), page(ids(2))], ["", "&c=k"]),
                ("page", "{ page: { param: page } }",
                 [page(ids(1)), page([])], ["&page=1", "&page=2"]),
                ("offset", "{ offset: { param: offset, limit_param: n, limit: 1 } }",
                 [page(ids(1)), page([])], ["&offset=0&n=1", "&offset=1&n=1"])):
            with self.subTest(mode=mode):
                self.serve(f"/{mode}", *[Reply(200, JSON, b) for b in replies])
                extra = ('query: { limit: "5" }\n'
                         'incremental: { cursor: .id, param: since, initial: "2024-01-01T00:00:00Z" }')
                r = self.run_once(self.pipeline(self.url(f"/{mode}"), paginate, extra),
                                  extra=("--state-dir", self.path("state", mode)))
                self.assertEqual(r.rc, 0, r)
                self.assertEqual(r.stdout, out_of(1) + (out_of(2) if mode == "cursor" else ""))
                self.assertEqual([q for q in self.requested() if q.startswith(self.p(f"/{mode}"))],
                                 [self.p(f"/{mode}?limit=5&{since}{e}") for e in expected])

    # ---- loops and max_pages ----------------------------------------------------------

    def test_next_url_loop_warns_and_keeps_pages_so_far(self):
        # a -> b -> a (absolute, with the first URL's query as it was requested)
        self.serve("/a", Reply(200, JSON, page(ids(1), next="b")), Reply(200, JSON, page(ids(9))))
        self.serve("/b", Reply(200, JSON, page(ids(2), next=self.url("/a?limit=2"))))
        r = self.run_ok(self.url("/a"), "{ next_url: .next }", 'query: { limit: "2" }')
        self.assertEqual(r.stdout, out_of(1, 2))
        self.assertEqual(self.requested(), [self.p("/a?limit=2"), self.p("/b")])
        loop = r.event("pagination_loop", "p")
        self.assertEqual(loop["level"], "warn")
        fin = r.event("run_finished", "p")
        self.assertEqual((fin["pages"], fin["records_out"]), (2, 2))
        self.assert_no_warnings(r, "max_pages_reached")

    def test_link_header_loop_to_a_middle_page(self):
        self.serve("/a", Reply(200, [("Link", '<b>; rel="next"')], page(ids(1))))
        self.serve("/b", Reply(200, [("Link", '<c>; rel="next"')], page(ids(2))))
        self.serve("/c", Reply(200, [("Link", f'<{self.url("/b")}>; rel="next"')], page(ids(3))))
        r = self.run_ok(self.url("/a"), "{ link_header: next }")
        self.assertEqual(r.stdout, out_of(1, 2, 3))
        self.assertEqual(self.requested(), [self.p("/a"), self.p("/b"), self.p("/c")])
        r.event("pagination_loop", "p")
        self.assertEqual(r.event("run_finished")["pages"], 3)

    def test_max_pages_reached_when_another_page_exists(self):
        self.serve("/a", Reply(200, JSON, page(ids(1), next="b")))
        self.serve("/b", Reply(200, JSON, page(ids(2), next="c")))
        self.serve("/c", Reply(200, JSON, page(ids(3), next="d")))
        self.serve("/d", Reply(200, JSON, page(ids(4))))
        r = self.run_ok(self.url("/a"), "{ next_url: .next, max_pages: 3 }")
        self.assertEqual(r.stdout, out_of(1, 2, 3))
        self.assertEqual(self.requested(), [self.p("/a"), self.p("/b"), self.p("/c")])
        w = r.event("max_pages_reached", "p")
        self.assertEqual(w["level"], "warn")
        self.assertEqual(r.event("run_finished")["pages"], 3)
        self.assert_no_warnings(r, "pagination_loop")

    def test_exactly_max_pages_and_no_next_is_no_warning(self):
        self.serve("/a", Reply(200, JSON, page(ids(1), next="b")))
        self.serve("/b", Reply(200, JSON, page(ids(2), next="c")))
        self.serve("/c", Reply(200, JSON, page(ids(3), next=None)))
        r = self.run_ok(self.url("/a"), "{ next_url: .next, max_pages: 3 }")
        self.assertEqual(r.stdout, out_of(1, 2, 3))
        self.assert_no_warnings(r, "max_pages_reached", "pagination_loop")
        self.assertEqual(r.event("run_finished")["pages"], 3)

    def test_max_pages_in_cursor_and_offset_modes(self):
        self.serve("/c", Reply(200, JSON, page(ids(1), next="x")), Reply(200, JSON, page(ids(2), next="y")),
                   Reply(200, JSON, page(ids(3))))
        r = self.run_ok(self.url("/c"), "{ cursor: { param: c, from: .next }, max_pages: 2 }")
        self.assertEqual(r.stdout, out_of(1, 2))
        r.event("max_pages_reached", "p")
        self.serve("/o", Reply(200, JSON, page(ids(1))), Reply(200, JSON, page(ids(2))), Reply(200, JSON, page([])))
        r = self.run_ok(self.url("/o"), "{ offset: { param: o, limit: 1 }, max_pages: 1 }")
        self.assertEqual(r.stdout, out_of(1))
        r.event("max_pages_reached", "p")

    def test_default_max_pages_is_100(self):
        self.serve("/n", Reply(200, JSON, page(ids(1))))
        r = self.run_ok(self.url("/n"), "{ page: { param: n } }")
        self.assertEqual(r.stdout, out_of(*([1] * 100)))
        self.assertEqual(len(self.requested()), 100)
        self.assertEqual(r.event("run_finished")["pages"], 100)
        r.event("max_pages_reached", "p")

    # ---- failures -----------------------------------------------------------------

    def test_failing_middle_page_fails_the_run_and_writes_nothing(self):
        self.write("out.ndjson", '{"old":true}\n')
        self.serve("/a", Reply(200, JSON, page(ids(1), next="b")))
        self.serve("/b", Reply(500, JSON, "{}"))
        self.serve("/c", Reply(200, JSON, page(ids(3))))
        r = self.run_once(self.pipeline(self.url("/a"), "{ next_url: .next }",
                                        sink="{ file: { path: %s } }" % self.path("out.ndjson")))
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(self.requested(), [self.p("/a"), self.p("/b"), self.p("/b")])  # attempts: 2
        self.assertEqual(self.read("out.ndjson"), '{"old":true}\n')
        failed = r.event("run_failed", "p")
        self.assertIn("500", failed["error"])
        self.assertEqual(failed["records_out"], 0)
        self.assertEqual(r.events_named("run_finished"), [])

    def test_failing_last_page_with_stdout_sink_prints_nothing(self):
        self.serve("/pg", Reply(200, JSON, page(ids(1))), Reply(200, JSON, page(ids(2))), Reply(200, JSON, "not json"))
        r = self.run_once(self.pipeline(self.url("/pg"), "{ page: { param: page } }"))
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(r.stdout, "")
        r.event("run_failed", "p")

    def test_bytes_count_decoded_bodies_over_all_pages(self):
        b1 = page(ids(1), next="b", pad="x" * 3000)
        b2 = page(ids(2), next="c")
        b3 = page(ids(3), pad="y" * 5000)
        self.serve("/a", Reply(200, JSON, b1, encoding="gzip"))
        self.serve("/b", Reply(200, JSON, b2))
        self.serve("/c", Reply(200, JSON, b3, encoding="deflate"))
        self.assertLess(len(gzip.compress(b1.encode())), len(b1))
        r = self.run_ok(self.url("/a"), "{ next_url: .next }")
        self.assertEqual(r.stdout, out_of(1, 2, 3))
        fin = r.event("run_finished")
        self.assertEqual(fin["pages"], 3)
        self.assertEqual(fin["bytes"], len(b1) + len(b2) + len(b3))
        self.assertEqual(fin["http_status"], 200)

    def test_retried_page_counts_once(self):
        self.serve("/a", Reply(200, JSON, page(ids(1), next="b")))
        self.serve("/b", Reply(503, [("Retry-After", "0")], "busy"), Reply(200, JSON, page(ids(2), next="c")))
        self.serve("/c", Reply(200, JSON, page(ids(3))))
        r = self.run_ok(self.url("/a"), "{ next_url: .next }")
        self.assertEqual(r.stdout, out_of(1, 2, 3))
        self.assertEqual(self.requested(), [self.p("/a"), self.p("/b"), self.p("/b"), self.p("/c")])
        fin = r.event("run_finished")
        self.assertEqual(fin["pages"], 3)
        self.assertEqual(fin["bytes"], len(page(ids(1), next="b")) + len(page(ids(2), next="c")) + len(page(ids(3))))
        self.assertEqual(len(r.events_named("request_retry")), 1)


if __name__ == "__main__":
    unittest.main()
