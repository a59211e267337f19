"""An upload form's multipart body, streamed: each file part goes straight into the
upload spool (``corpus.jobs.SpoolWriter``: hashed, size-limited — over the limit the
request ends with 413 without reading further), text fields are kept up to a small bound.
The part's file name is only passed on for display."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..corpus.spool import JobError, Received, SpoolWriter, TooLarge

MAX_FIELD_BYTES = 200 * 1024      # a text field (the URL list)
MAX_PARTS = 2000


class FormTooLarge(TooLarge):
    pass


@dataclass
class UploadForm:
    fields: dict = field(default_factory=dict)
    files: list[Received] = field(default_factory=list)

    def discard(self):
        for r in self.files:
            r.tmp.unlink(missing_ok=True)


async def read_upload(request, spool, max_file_bytes: int, file_field: str = "files") -> UploadForm:
    """Parse the request body; raises TooLarge (a file or field over its limit) or
    JobError (not a multipart form)."""
    from python_multipart.multipart import MultipartParser, parse_options_header
    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise JobError("请求不是文件上传表单（multipart/form-data）")
    form = UploadForm()
    state = {"headers": {}, "name": None, "hf": b"", "hv": b"", "writer": None, "buf": None, "error": None,
             "parts": 0}

    def on_part_begin():
        state.update(headers={}, name=None, writer=None, buf=None, hf=b"", hv=b"")
        state["parts"] += 1
        if state["parts"] > MAX_PARTS:
            state["error"] = JobError(f"表单包含的部分过多（上限 {MAX_PARTS}）")

    def on_header_field(data, start, end):
        state["hf"] += data[start:end]

    def on_header_value(data, start, end):
        state["hv"] += data[start:end]

    def on_header_end():
        state["headers"][state["hf"].lower()] = state["hv"]
        state["hf"], state["hv"] = b"", b""

    def on_headers_finished():
        _disp, opts = parse_options_header(state["headers"].get(b"content-disposition", b""))
        name = opts.get(b"name", b"").decode("utf-8", "replace")
        state["name"] = name
        if b"filename" in opts:
            fname = opts[b"filename"].decode("utf-8", "replace")
            if fname and name == file_field:         # no name: a form sent without a file chosen
                state["writer"] = SpoolWriter(spool, fname, max_file_bytes)
        else:
            state["buf"] = bytearray()

    def on_part_data(data, start, end):
        if state["error"] is not None:
            return
        chunk = data[start:end]
        try:
            if state["writer"] is not None:
                state["writer"].write(chunk)
            elif state["buf"] is not None:
                state["buf"] += chunk
                if len(state["buf"]) > MAX_FIELD_BYTES:
                    state["error"] = FormTooLarge(f"表单字段「{state['name']}」过长")
                    state["buf"] = None
        except TooLarge as e:
            state["writer"] = None
            state["error"] = e

    def on_part_end():
        w = state["writer"]
        if w is not None:
            form.files.append(w.close())
        elif state["buf"] is not None and state["name"]:
            form.fields[state["name"]] = bytes(state["buf"]).decode("utf-8", "replace")
        state["writer"] = state["buf"] = None

    parser = MultipartParser(boundary, {
        "on_part_begin": on_part_begin, "on_header_field": on_header_field, "on_header_value": on_header_value,
        "on_header_end": on_header_end, "on_headers_finished": on_headers_finished, "on_part_data": on_part_data,
        "on_part_end": on_part_end})
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            if state["error"] is not None:
                raise state["error"]
        parser.finalize()
    except BaseException:
        if state["writer"] is not None:
            state["writer"].abort()
        form.discard()
        raise
    return form
