"""Executes one of the repository's notebooks with nbclient, from the notebook's folder as Jupyter does, and prints
a JSON summary of its outputs: errors, and how many outputs carry text/html."""
import json
import os
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
error = None
try:
    NotebookClient(nb, kernel_name="interp-kernel-csharp", timeout=600,
                   resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}}).execute()
except CellExecutionError as e:
    error = str(e)[:2000]
outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
print(json.dumps({
    "error": error,
    "code_cells": sum(1 for c in nb.cells if c.cell_type == "code"),
    "error_outputs": [o.get("ename", "") + ": " + o.get("evalue", "") for o in outputs if o.get("output_type") == "error"],
    "html_outputs": sum(1 for o in outputs if "text/html" in o.get("data", {})),
}))
