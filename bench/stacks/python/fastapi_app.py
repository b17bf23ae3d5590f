"""The benchmark API in FastAPI (see bench/conformance). Run with:
/usr/bin/python3 -m uvicorn fastapi_app:app --workers 2 --host 127.0.0.1 --port 8080
"""
from typing import List, Optional

from fastapi import FastAPI, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, StrictStr

app = FastAPI()


class Item(BaseModel):
    name: StrictStr = Field(min_length=1, max_length=50)
    price: float = Field(gt=0)
    tags: Optional[List[StrictStr]] = None


@app.get("/json")
def json_endpoint():
    return JSONResponse({"message": "Hello, World!"})


@app.get("/items/{id}")
def get_item(id: int = Path(ge=1), q: str = "", limit: int = Query(10, ge=1, le=100)):
    return {"id": id, "q": q, "limit": limit}


@app.post("/items", status_code=201)
def post_item(item: Item):
    return item
