using TorchSharp;
using Xunit;
namespace InterpKernel.Tests;
public class SmokeTests
{
    [Fact]
    public void Torch_runs_a_matmul()
    {
        using var a = torch.randn(3, 3);
        using var c = a.matmul(a);
        Assert.Equal(new long[] { 3, 3 }, c.shape);
    }
}
