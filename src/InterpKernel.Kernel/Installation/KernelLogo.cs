namespace InterpKernel.Kernel.Installation;

/// <summary>
/// Draws the kernel logo: a causal attention pattern (a lower-triangular grid of cells whose intensity
/// falls off from the diagonal, with a bright previous-token stripe) on a rounded dark square.
/// </summary>
internal static class KernelLogo
{
    public static byte[] Png(int size)
    {
        const int cells = 6;
        var rgba = new byte[size * size * 4];
        var margin = size / 8.0;
        var cell = (size - 2 * margin) / cells;
        var radius = size / 6.0;
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                var i = (y * size + x) * 4;
                if (!InsideRoundedSquare(x + 0.5, y + 0.5, size, radius))
                {
                    continue; // transparent corner
                }

                var (r, g, b) = (34, 30, 64);
                var qx = (x - margin) / cell;
                var qy = (y - margin) / cell;
                if (qx >= 0 && qy >= 0 && qx < cells && qy < cells)
                {
                    var key = (int)qx;
                    var query = (int)qy;
                    var inset = Math.Min(qx - key, qy - query) > 0.1 && Math.Max(qx - key, qy - query) < 0.9;
                    if (key <= query && inset)
                    {
                        var weight = key == query - 1 ? 1.0 : key == query ? 0.55 : 0.25;
                        (r, g, b) = Blend((34, 30, 64), (255, 176, 59), weight);
                    }
                }

                rgba[i] = (byte)r;
                rgba[i + 1] = (byte)g;
                rgba[i + 2] = (byte)b;
                rgba[i + 3] = 255;
            }
        }

        return PngImage.Encode(size, size, rgba);
    }

    private static bool InsideRoundedSquare(double x, double y, int size, double radius)
    {
        var dx = Math.Max(Math.Max(radius - x, x - (size - radius)), 0);
        var dy = Math.Max(Math.Max(radius - y, y - (size - radius)), 0);
        return dx * dx + dy * dy <= radius * radius;
    }

    private static (int, int, int) Blend((int R, int G, int B) from, (int R, int G, int B) to, double t) =>
        ((int)(from.R + (to.R - from.R) * t), (int)(from.G + (to.G - from.G) * t), (int)(from.B + (to.B - from.B) * t));
}
