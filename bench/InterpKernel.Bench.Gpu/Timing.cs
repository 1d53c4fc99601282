using System.Diagnostics;
using static TorchSharp.torch;

namespace InterpKernel.Bench.Gpu;

/// <summary>Median wall time of a GPU (or CPU) action, synchronising the device around each run.</summary>
internal static class Timing
{
    public static double MedianMs(Device device, int warmup, int runs, Action action)
    {
        for (int i = 0; i < warmup; i++) action();
        Sync(device);
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            Sync(device);
            times[i] = sw.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return runs % 2 == 1 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
    }

    public static void Sync(Device device)
    {
        if (device.type == TorchSharp.DeviceType.CUDA) cuda.synchronize();
    }
}
