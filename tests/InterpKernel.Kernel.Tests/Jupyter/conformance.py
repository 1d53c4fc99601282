"""Jupyter's own kernel conformance suite (Debian's python3-jupyter-kernel-test) against interp-kernel.
Run with: python3 -m unittest conformance (from this folder, with the kernelspec on JUPYTER_PATH)."""
import unittest

import jupyter_kernel_test


class InterpKernelConformance(jupyter_kernel_test.KernelTests):
    kernel_name = "interp-kernel-csharp"
    language_name = "csharp"
    file_extension = ".cs"

    code_hello_world = 'Console.WriteLine("hello, world");'
    code_stderr = 'Console.Error.WriteLine("oops");'
    completion_samples = [{"text": "Math.Sq"}, {"text": "Console.Wr"}]
    complete_code_samples = ["1 + 1", "var x = 1;", "Console.WriteLine(2);"]
    incomplete_code_samples = ["for (var i = 0; i < 3; i++) {", "Console.WriteLine("]
    code_generate_error = 'throw new InvalidOperationException("boom");'
    code_execute_result = [{"code": "6 * 7", "result": "42"}, {"code": "1 + 2", "result": "3"}]
    code_display_data = [{"code": 'display("<b>x</b>", "text/html");', "mime": "text/html"}]
    code_history_pattern = "6 *"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "Math"
    code_clear_output = "clear_output();"


if __name__ == "__main__":
    unittest.main()
