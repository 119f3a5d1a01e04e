-- wrk: ask for an upload grant for a 480 kB JPEG.
wrk.method = "POST"
wrk.path = "/v1/campaigns/bench/uploads"
wrk.body = '{"content_type":"image/jpeg","size":482113}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Origin"] = "http://bench.local"
