namespace EmiPlatform.Inference.Perception;

/// <summary>
/// What one sampled frame shows of the tracked face: the landmark-derived descriptors (<see cref="DescriptorColumns"/>
/// order), the expression probabilities (<see cref="ExpressionColumns"/> order) and how sure the two face models are
/// that it is a face (<see cref="FaceConfidence"/>: the detector's score × FaceMesh's face flag, 0..1).
/// </summary>
public sealed record FacePerception(float[] Descriptors, float[] Expressions, double FaceConfidence)
{
    /// <summary>Column names of <see cref="Descriptors"/>, in order.</summary>
    public static IReadOnlyList<string> DescriptorColumns => FacialActionDescriptors.Names;

    /// <summary>Column names of <see cref="Expressions"/>, in order.</summary>
    public static IReadOnlyList<string> ExpressionColumns { get; } = [.. ExpressionClassifier.Classes.Select(c => "expr_" + c)];

    /// <summary>Both lists, descriptors first: the order of <see cref="Values"/> and of a timeline window's perception means.</summary>
    public static IReadOnlyList<string> Columns { get; } = [.. DescriptorColumns, .. ExpressionColumns];

    /// <summary>The descriptors then the expressions (<see cref="Columns"/> order); NaN where a value was not measured.</summary>
    public IEnumerable<float> Values => Descriptors.Concat(Expressions);

    /// <summary>The value of a column of either list by name.</summary>
    public float this[string column]
    {
        get
        {
            var i = IndexOf(DescriptorColumns, column);
            if (i >= 0)
            {
                return Descriptors[i];
            }

            i = IndexOf(ExpressionColumns, column);
            return i >= 0 ? Expressions[i] : throw new KeyNotFoundException($"'{column}' is not a face perception column.");
        }
    }

    private static int IndexOf(IReadOnlyList<string> names, string column)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == column)
            {
                return i;
            }
        }

        return -1;
    }
}
