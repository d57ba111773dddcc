namespace EmiPlatform.Inference.Faces;

/// <summary>
/// BlazeFace's SSD anchors as MediaPipe generates them (SsdAnchorsCalculator with fixed anchor size, aspect ratio 1
/// plus the interpolated scale): two anchors per cell for each feature map, and feature maps of equal stride share
/// one grid. Order: map by map, rows, then columns, then the anchors of a cell, as the model's outputs are.
/// </summary>
internal static class BlazeFaceAnchors
{
    public static (float X, float Y)[] Create(int inputSize, IReadOnlyList<int> strides)
    {
        var anchors = new List<(float, float)>();
        var layer = 0;
        while (layer < strides.Count)
        {
            var stride = strides[layer];
            var perCell = 0;
            while (layer < strides.Count && strides[layer] == stride)
            {
                perCell += 2;
                layer++;
            }

            var grid = inputSize / stride;
            for (var y = 0; y < grid; y++)
            {
                for (var x = 0; x < grid; x++)
                {
                    for (var a = 0; a < perCell; a++)
                    {
                        anchors.Add(((x + 0.5f) / grid, (y + 0.5f) / grid));
                    }
                }
            }
        }

        return [.. anchors];
    }
}
