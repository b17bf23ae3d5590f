"""The benchmark API in Falcon (see bench/conformance), validated by hand.
Run with: /usr/bin/python3 -m gunicorn -w 2 -b 127.0.0.1:8080 falcon_app:app
"""
import json

import falcon


def fail(resp, status, errors):
    resp.status = status
    resp.content_type = "application/problem+json"
    resp.text = json.dumps({"title": "invalid request", "status": int(status[:3]), "errors": errors})


class JSONResource:
    def on_get(self, req, resp):
        resp.media = {"message": "Hello, World!"}


class ItemResource:
    def on_get(self, req, resp, id):
        errors = []
        try:
            item_id = int(id)
            if item_id < 1:
                errors.append({"parameter": "id", "detail": "expected >= 1"})
        except ValueError:
            item_id = 0
            errors.append({"parameter": "id", "detail": "expected an integer"})
        limit = 10
        raw = req.get_param("limit")
        if raw is not None:
            try:
                limit = int(raw)
                if not 1 <= limit <= 100:
                    errors.append({"parameter": "limit", "detail": "expected 1..100"})
            except ValueError:
                errors.append({"parameter": "limit", "detail": "expected an integer"})
        if errors:
            return fail(resp, "422 Unprocessable Entity", errors)
        resp.media = {"id": item_id, "q": req.get_param("q") or "", "limit": limit}


class ItemsResource:
    def on_post(self, req, resp):
        try:
            body = json.load(req.bounded_stream)
        except ValueError:
            return fail(resp, "400 Bad Request", [{"detail": "malformed JSON"}])
        if not isinstance(body, dict):
            return fail(resp, "422 Unprocessable Entity", [{"pointer": "", "detail": "expected an object"}])
        errors = []
        name, price, tags = body.get("name"), body.get("price"), body.get("tags")
        if not isinstance(name, str) or not 1 <= len(name) <= 50:
            errors.append({"pointer": "/name", "detail": "expected a string of 1..50 characters"})
        if isinstance(price, bool) or not isinstance(price, (int, float)) or price <= 0:
            errors.append({"pointer": "/price", "detail": "expected a number > 0"})
        if tags is not None and (not isinstance(tags, list) or not all(isinstance(t, str) for t in tags)):
            errors.append({"pointer": "/tags", "detail": "expected a list of strings"})
        if errors:
            return fail(resp, "422 Unprocessable Entity", errors)
        out = {"name": name, "price": price}
        if tags is not None:
            out["tags"] = tags
        resp.status = falcon.HTTP_201
        resp.media = out


app = falcon.App()
app.add_route("/json", JSONResource())
app.add_route("/items/{id}", ItemResource())
app.add_route("/items", ItemsResource())
