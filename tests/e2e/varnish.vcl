# The caching edge of the end-to-end tier: Varnish in front of the real Next.js pods, caching
# what a CDN caches and keeping apart what Next.js's `Vary` says differs. The test writes the
# backends (one per pod, a round-robin director named `pods`) and includes this file.
#
# - The cache key is the URL (path and query) and the App Router's request headers Next.js
#   names in its `Vary`: `RSC`, `Next-Router-Prefetch`, `Next-Router-State-Tree`,
#   `Next-Router-Segment-Prefetch`, `Next-Url`. A page, its RSC payload and its prefetch payload
#   are three objects; the Pages Router's data JSON is its own URL.
# - Only a 200 is stored, for the lifetime its `Cache-Control` gives (Next.js: s-maxage of a
#   year for an ISR page), with no grace and no keep: nothing stale is ever served while a fresh
#   copy is fetched, and an evicted object is gone.
# - From loopback only: `PURGE <url>` evicts the one object of that URL with the request's router
#   headers (a page's RSC payload is purged with `RSC: 1`, as revalidate does); `BAN` with an
#   `X-Ban-Url: <regex>` header evicts every object whose URL matches (every variant and build),
#   as `revalidate cdn purge --purge-method BAN` sends it.
# - A request carrying `x-prerender-revalidate` (a regeneration) is passed to a pod, never cached.

acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    set req.backend_hint = pods.backend();
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(405, "PURGE from loopback only"));
        }
        return (purge);
    }
    if (req.method == "BAN") {
        if (client.ip !~ purgers) {
            return (synth(405, "BAN from loopback only"));
        }
        if (!req.http.x-ban-url) {
            return (synth(400, "BAN needs an X-Ban-Url regular expression"));
        }
        ban("obj.http.x-url ~ " + req.http.x-ban-url);
        return (synth(200, "Banned"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.http.x-prerender-revalidate || req.http.x-revalidate-secret) {
        return (pass);
    }
    unset req.http.cookie;
    return (hash);
}

sub vcl_hash {
    hash_data(req.url);
    hash_data("rsc=" + req.http.rsc);
    hash_data("prefetch=" + req.http.next-router-prefetch);
    hash_data("tree=" + req.http.next-router-state-tree);
    hash_data("segment=" + req.http.next-router-segment-prefetch);
    hash_data("url=" + req.http.next-url);
    return (lookup);
}

sub vcl_purge {
    return (synth(200, "Purged"));
}

sub vcl_backend_response {
    # Bans test the object's URL (lurker-friendly).
    set beresp.http.x-url = bereq.url;
    set beresp.grace = 0s;
    set beresp.keep = 0s;
    if (beresp.status != 200) {
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }
}

sub vcl_deliver {
    unset resp.http.x-url;
    if (obj.hits > 0) {
        set resp.http.x-cache = "Hit from varnish";
    } else {
        set resp.http.x-cache = "Miss from varnish";
    }
}
