"""Render conforming annual reports (HTML, PDF, DOCX) from data.  The tables are built
from the same format description the parser reads, so a rendered report parses back
to itself."""
from .build import RenderInput, load_input, render

__all__ = ["RenderInput", "load_input", "render"]
