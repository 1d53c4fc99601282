"""Executes a small notebook with nbclient, as `jupyter execute` does, and prints the outputs as JSON."""
import json

import nbformat
from nbclient import NotebookClient

nb = nbformat.v4.new_notebook()
nb.cells = [
    nbformat.v4.new_markdown_cell("# Greeting"),
    nbformat.v4.new_code_cell('var greeting = "hello";'),
    nbformat.v4.new_code_cell('Console.WriteLine(greeting.Length);\ngreeting + " world"'),
    nbformat.v4.new_code_cell('display("<i>shown</i>", "text/html");'),
]
NotebookClient(nb, kernel_name="interp-kernel-csharp", timeout=60).execute()
print(json.dumps([
    {"execution_count": cell.get("execution_count"), "outputs": cell.get("outputs", [])}
    for cell in nb.cells if cell.cell_type == "code"
]))
