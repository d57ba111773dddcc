using System.Runtime.InteropServices;
using System.Text.Json;
using EmiPlatform.Bundles;
using EmiPlatform.Inference.Onnx;

namespace EmiPlatform.Inference.Tests;

/// <summary>
/// The reference bundle's ONNX graphs (each branch's backbone and head, contract v2), run through ONNX Runtime (the NuGet packages the engine uses), reproduce the PyTorch outputs the
/// model tooling committed as fixtures (tests/fixtures/reference-tiny, written by ml/emi_ml/fixtures.py).
/// </summary>
public sealed class ParityTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestEnvironment.Fixtures, "index.json")));
        foreach (var c in index.RootElement.GetProperty("cases").EnumerateArray())
        {
            data.Add(c.GetProperty("name").GetString()!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OnnxRuntimeReproducesPyTorchOutputsWithinTolerance(string caseName)
    {
        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestEnvironment.Fixtures, "index.json")));
        var tolerance = index.RootElement.GetProperty("tolerance").GetDouble();
        Assert.True(tolerance <= 1e-4, "The fixtures' tolerance must not be looser than the issue's 1e-4.");
        var testCase = index.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == caseName);
        var bundle = ModelBundle.Load(TestEnvironment.ReferenceBundle);
        var audio = testCase.GetProperty("branch").GetString() == "audio";
        var modelPath = testCase.GetProperty("graph").GetString() switch
        {
            "backbone" => audio ? bundle.AudioBackbonePath! : bundle.VisualBackbonePath!,
            "head" => audio ? bundle.AudioHeadPath! : bundle.VisualHeadPath!,
            var other => throw new InvalidDataException($"{caseName}: unknown graph '{other}'"),
        };

        using var model = OnnxModel.Open(modelPath, TestEnvironment.Cpu);
        var inputs = testCase.GetProperty("inputs").EnumerateObject()
            .Select(p => new OnnxInput(p.Name, ReadFloats(p.Value), Shape(p.Value)))
            .ToArray();
        var expected = testCase.GetProperty("outputs").EnumerateObject().ToArray();

        using var runner = model.CreateRunner(expected.Select(e => e.Name).ToArray());
        using var outputs = runner.Run(inputs);

        Assert.Equal(expected.Length, outputs.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            var want = ReadFloats(expected[i].Value);
            var got = outputs[i].GetTensorDataAsSpan<float>().ToArray();
            Assert.Equal(Shape(expected[i].Value), outputs[i].GetTensorTypeAndShape().Shape);
            Assert.Equal(want.Length, got.Length);
            var maxDiff = want.Zip(got, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(maxDiff <= tolerance, $"{caseName}/{expected[i].Name}: max abs diff {maxDiff:E2} > {tolerance:E0}");
        }
    }

    private static float[] ReadFloats(JsonElement tensor)
    {
        var bytes = File.ReadAllBytes(Path.Combine(TestEnvironment.Fixtures, tensor.GetProperty("file").GetString()!));
        Assert.True(BitConverter.IsLittleEndian);
        return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }

    private static long[] Shape(JsonElement tensor) =>
        tensor.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
}
