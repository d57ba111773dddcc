using EmiPlatform.Inference.Bundles;
using EmiPlatform.Inference.Onnx;

namespace EmiPlatform.Inference.Tests;

public sealed class BindingTests
{
    private static readonly OnnxSessionOptions s_cpu = new() { ExecutionProvider = ExecutionProvider.Cpu };

    [Fact]
    public void LoadsOnnxRuntime130AndNegotiatesTheNewestApi()
    {
        var runtime = TestEnvironment.Runtime;

        Assert.Equal("1.30.0", runtime.Version);
        Assert.Equal(30u, runtime.ApiVersion);
        Assert.Contains("CPUExecutionProvider", runtime.AvailableProviders);
        Assert.Same(runtime, OnnxRuntime.Load(TestEnvironment.OrtLibrary));
    }

    [Fact]
    public void SessionReportsTheBundleSignatureWithDynamicAxes()
    {
        var bundle = ModelBundle.Load(TestEnvironment.ReferenceBundle);
        using var session = TestEnvironment.Runtime.OpenSession(bundle.VisualModelPath!, s_cpu);

        var frames = Assert.Single(session.Inputs, i => i.Name == "frames");
        Assert.Equal(TensorElementType.Float, frames.ElementType);
        Assert.Equal([-1L, -1L, 3L, 64L, 64L], frames.Shape);
        Assert.Equal("batch", frames.SymbolicShape[0]);
        Assert.Contains(session.Inputs, i => i.Name == "aus");
        Assert.Equal(["emi_steps", "emi_segment"], session.Outputs.Select(o => o.Name).Order(StringComparer.Ordinal).Reverse());
        Assert.Equal(OnnxSession.CpuProvider, session.ExecutionProvider);
    }

    [Fact]
    public void NativeErrorsBecomeExceptionsWithOnnxRuntimesMessage()
    {
        var bundle = ModelBundle.Load(TestEnvironment.ReferenceBundle);
        using var session = TestEnvironment.Runtime.OpenSession(bundle.AudioModelPath!, s_cpu);

        var wrongRank = Assert.Throws<OnnxRuntimeException>(() => session.Run([new OnnxInput("waveform", new float[800], [1, 1, 800])]));
        Assert.Equal(OrtErrorCode.InvalidArgument, wrongRank.Code);
        Assert.Contains("Invalid rank for input: waveform", wrongRank.Message, StringComparison.Ordinal);

        var notAModel = Path.GetTempFileName();
        try
        {
            File.WriteAllText(notAModel, "this is not an onnx model");
            var load = Assert.Throws<OnnxRuntimeException>(() => TestEnvironment.Runtime.OpenSession(notAModel, s_cpu));
            Assert.NotEqual(OrtErrorCode.Ok, load.Code);
            Assert.False(string.IsNullOrWhiteSpace(load.Message));
        }
        finally
        {
            File.Delete(notAModel);
        }
    }

    [Fact]
    public void CudaRequestedWithoutTheCudaProviderFailsWithTheReason()
    {
        var runtime = TestEnvironment.Runtime;
        var bundle = ModelBundle.Load(TestEnvironment.ReferenceBundle);
        if (runtime.CudaProviderLibraryPresent)
        {
            // A GPU build next to the library: `cuda` must then give a CUDA session.
            using var cuda = runtime.OpenSession(bundle.AudioModelPath!, new OnnxSessionOptions { ExecutionProvider = ExecutionProvider.Cuda });
            Assert.Equal(OnnxSession.CudaProvider, cuda.ExecutionProvider);
            return;
        }

        var error = Assert.Throws<OnnxRuntimeException>(() =>
            runtime.OpenSession(bundle.AudioModelPath!, new OnnxSessionOptions { ExecutionProvider = ExecutionProvider.Cuda }));
        Assert.Contains("providers", error.Message, StringComparison.OrdinalIgnoreCase);

        using var auto = runtime.OpenSession(bundle.AudioModelPath!, new OnnxSessionOptions { ExecutionProvider = ExecutionProvider.Auto });
        Assert.Equal(OnnxSession.CpuProvider, auto.ExecutionProvider);
    }

    [Fact]
    public void CancelledRunThrowsOperationCanceled()
    {
        var bundle = ModelBundle.Load(TestEnvironment.ReferenceBundle);
        using var session = TestEnvironment.Runtime.OpenSession(bundle.AudioModelPath!, s_cpu);
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.Throws<OperationCanceledException>(() => session.Run([new OnnxInput("waveform", new float[16000], [1, 16000])], null, cts.Token));
    }
}
