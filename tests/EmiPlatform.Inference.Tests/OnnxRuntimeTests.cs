using System.Text.RegularExpressions;
using EmiPlatform.Bundles;
using EmiPlatform.Inference.Onnx;
using EmiPlatform.Inference.Scoring;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace EmiPlatform.Inference.Tests;

/// <summary>The official ONNX Runtime packages as the engine uses them: loading, signatures, errors, cancellation, CUDA set-up.</summary>
public sealed partial class OnnxRuntimeTests
{
    private static bool CudaWorksHere => Directory.Exists("/proc/driver/nvidia/gpus") && Directory.GetDirectories("/proc/driver/nvidia/gpus").Length > 0;

    [Fact]
    public void OnnxRuntime131ComesFromTheNuGetPackageInTheOutputFolder()
    {
        Assert.Equal("1.31.0", OnnxEnvironment.Version);
        var providers = OnnxEnvironment.Instance.GetAvailableProviders();
        Assert.Contains("CPUExecutionProvider", providers);
        Assert.Contains("CUDAExecutionProvider", providers);

        var bundle = ModelBundle.Load(TestEnvironment.ReferenceBundle);
        using var model = OnnxModel.Open(bundle.AudioBackbonePath!, TestEnvironment.Cpu);
        var loaded = File.ReadLines("/proc/self/maps").Where(l => l.Contains("libonnxruntime.so", StringComparison.Ordinal)).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1]).Distinct().ToList();
        var path = Assert.Single(loaded);
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libonnxruntime.so"), path);
    }

    [Fact]
    public void SessionsReportTheBundleSignaturesWithDynamicAxes()
    {
        var bundle = ModelBundle.Load(TestEnvironment.ReferenceBundle);
        using var backbone = OnnxModel.Open(bundle.VisualBackbonePath!, TestEnvironment.Cpu);
        using var head = OnnxModel.Open(bundle.VisualHeadPath!, TestEnvironment.Cpu);

        var frames = backbone.Session.InputMetadata["frames"];
        Assert.Equal(typeof(float), frames.ElementType);
        Assert.Equal([-1, 3, 64, 64], frames.Dimensions);
        Assert.Equal("batch", frames.SymbolicDimensions[0]);
        Assert.Equal([-1, 128], backbone.Session.OutputMetadata["features"].Dimensions);
        Assert.Equal([-1, -1, 128], head.Session.InputMetadata["features"].Dimensions);
        Assert.Contains("aus", head.Session.InputMetadata.Keys);
        Assert.Equal(["emi_steps", "emi_segment"], head.Session.OutputNames.Order(StringComparer.Ordinal).Reverse());
        Assert.Equal(OnnxModel.CpuProvider, backbone.ExecutionProvider);
        Assert.Equal("cpu", backbone.Device);
    }

    [Fact]
    public void NativeErrorsBecomeExceptionsWithOnnxRuntimesMessage()
    {
        var bundle = ModelBundle.Load(TestEnvironment.ReferenceBundle);
        using var model = OnnxModel.Open(bundle.AudioBackbonePath!, TestEnvironment.Cpu);
        using var runner = model.CreateRunner(["features"]);

        var wrongRank = Assert.Throws<OnnxRuntimeException>(() => runner.Run([new OnnxInput("waveform", new float[800], [1, 1, 800])]));
        Assert.Contains("Invalid rank for input: waveform", wrongRank.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => model.CreateRunner(["no_such_output"]));
        // The runner is still usable after a failed run.
        using (var outputs = runner.Run([new OnnxInput("waveform", new float[800], [1, 800])]))
        {
            Assert.Equal([1L, 2L, 64L], outputs[0].GetTensorTypeAndShape().Shape);
        }

        var notAModel = Path.GetTempFileName();
        try
        {
            File.WriteAllText(notAModel, "this is not an onnx model");
            var load = Assert.Throws<OnnxRuntimeException>(() => OnnxModel.Open(notAModel, TestEnvironment.Cpu));
            Assert.False(string.IsNullOrWhiteSpace(load.Message));
            // On a CUDA request too, a model that loads nowhere is reported as the model's fault, not CUDA's.
            if (!CudaWorksHere)
            {
                Assert.Throws<OnnxRuntimeException>(() => OnnxModel.Open(notAModel, TestEnvironment.Cpu, cudaDevice: 0));
            }
        }
        finally
        {
            File.Delete(notAModel);
        }
    }

    [Fact]
    public void CudaRequestedWithoutAUsableGpuFailsAtStartNamingWhatIsMissing()
    {
        var cuda = TestEnvironment.Cpu with { ExecutionProvider = ExecutionProvider.Cuda };
        if (CudaWorksHere)
        {
            using var pipeline = new ScoringPipeline(cuda);
            Assert.True(pipeline.Placement.UsesCuda);
            return;
        }

        var error = Assert.Throws<CudaUnavailableException>(() => new ScoringPipeline(cuda));
        Assert.StartsWith("CUDA cannot be used: ", error.Message, StringComparison.Ordinal);
        Assert.Single(error.Message.Split(". ", StringSplitOptions.None));
        // The library named is the one ONNX Runtime's own error names, not a guess.
        var ortSays = MissingLibrary().Match(error.InnerException!.Message);
        Assert.True(ortSays.Success, error.InnerException.Message);
        Assert.Contains($"({ortSays.Groups[1].Value})", error.Message, StringComparison.Ordinal);
        Assert.Contains("is not installed or not on the loader's path", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AutoFallsBackToTheCpuAndSaysWhyOnce()
    {
        if (CudaWorksHere)
        {
            return;
        }

        var logger = new ListLogger();
        var bundle = ModelBundle.Load(TestEnvironment.ReferenceBundle);
        using var pipeline = new ScoringPipeline(TestEnvironment.Cpu with { ExecutionProvider = ExecutionProvider.Auto }, logger: logger);
        pipeline.Preload(bundle);

        Assert.False(pipeline.Placement.UsesCuda);
        Assert.Equal(OnnxModel.CpuProvider, pipeline.Placement.ExecutionProvider);
        Assert.StartsWith("CUDA cannot be used: ", pipeline.Placement.CpuReason, StringComparison.Ordinal);
        var said = Assert.Single(logger.Lines);
        Assert.Equal(LogLevel.Warning, said.Level);
        Assert.Contains(pipeline.Placement.CpuReason!, said.Message, StringComparison.Ordinal);
        var (audio, visual, face) = pipeline.ModelsForBenchmark(bundle);
        Assert.Equal("cpu", audio!.Model.Device);
        Assert.Equal("cpu", visual!.Model.Device);
        Assert.Equal("cpu", face!.Device);
    }

    [Fact]
    public void TheCauseOnnxRuntimeOnlyLogsIsCapturedInsteadOfLost()
    {
        if (CudaWorksHere)
        {
            return;
        }

        // Appending CUDA by device id (the V1 call) throws "Failed to load shared library"; which dependency was
        // missing goes to ONNX Runtime's log, which the engine's logging callback captures for the exception.
        var error = Assert.Throws<OnnxRuntimeException>(() => OnnxEnvironment.CaptureErrors(() =>
        {
            using var options = new SessionOptions();
            options.AppendExecutionProvider_CUDA(0);
            return 0;
        }));
        Assert.Contains("Failed to load shared library", error.Message, StringComparison.Ordinal);
        Assert.DoesNotMatch(MissingLibrary(), error.Message);
        var logged = Assert.Single(OnnxEnvironment.LoggedErrors(error));
        var missing = MissingLibrary().Match(logged);
        Assert.True(missing.Success, logged);

        var sentence = CudaUnavailableException.Describe(error, OnnxEnvironment.LoggedErrors(error));
        Assert.Contains(missing.Groups[1].Value, sentence, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[ErrorCode:Fail] /onnxruntime_src/x.cc:1 f [ONNXRuntimeError] : 1 : FAIL : Failed to load library /x/libonnxruntime_providers_cuda.so with error: libcuda.so.1: cannot open shared object file: No such file or directory", "the NVIDIA driver library libcuda.so.1 (driver >= 580) is not installed")]
    [InlineData("[ErrorCode:Fail] Failed to load library /x/libonnxruntime_providers_cuda.so with error: libcudart.so.13: cannot open shared object file: No such file or directory", "the CUDA 13 runtime libcudart.so.13 is not installed")]
    [InlineData("[ErrorCode:RuntimeException] CUDA failure 100: no CUDA-capable device is detected ; GPU=0 ; hostname=h ; file=x ; line=1 ; expr=cudaSetDevice(info_.device_id);", "no CUDA device is visible")]
    [InlineData("[ErrorCode:RuntimeException] CUDA failure 35: CUDA driver version is insufficient for CUDA runtime version ; GPU=0", "the NVIDIA driver is too old for CUDA 13")]
    [InlineData("[ErrorCode:RuntimeException] CUDNN failure 1001: CUDNN_STATUS_NOT_INITIALIZED ; GPU=0", "cuDNN 9 failed")]
    public void CudaErrorsBecomeOneSentenceNamingWhatIsMissing(string onnxRuntimeSays, string expected)
    {
        var sentence = CudaUnavailableException.Describe(new InvalidOperationException(onnxRuntimeSays), []);

        Assert.StartsWith($"CUDA cannot be used: {expected}", sentence, StringComparison.Ordinal);
        Assert.DoesNotContain("/onnxruntime_src/", sentence, StringComparison.Ordinal);
        Assert.EndsWith(").", sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void CudaOptionsSuitVariableSegmentLengthsAndForbidSilentCpuFallback()
    {
        var options = new OnnxSessionOptions { ExecutionProvider = ExecutionProvider.Cuda, GpuMemoryLimitBytes = 6L << 30 };

        var cuda = options.CudaProviderOptions(1);
        Assert.Equal("1", cuda["device_id"]);
        Assert.Equal("kSameAsRequested", cuda["arena_extend_strategy"]);
        Assert.Equal("HEURISTIC", cuda["cudnn_conv_algo_search"]);
        Assert.Equal((6L << 30).ToString(System.Globalization.CultureInfo.InvariantCulture), cuda["gpu_mem_limit"]);
        Assert.DoesNotContain("gpu_mem_limit", new OnnxSessionOptions().CudaProviderOptions(0).Keys);

        Assert.Equal("1", options.SessionConfigEntries(cuda: true)["session.disable_cpu_ep_fallback"]);
        Assert.DoesNotContain("session.disable_cpu_ep_fallback", options.SessionConfigEntries(cuda: false).Keys);
        Assert.Equal("1", options.SessionConfigEntries(cuda: false)["session.use_env_allocators"]);
        Assert.Equal([2, 0], (options with { CudaDevices = [2, 0] }).ResolveCudaDevices());
        Assert.NotEmpty(options.ResolveCudaDevices());
    }

    [Fact]
    public void CancelledRunsThrowOperationCanceled()
    {
        var bundle = ModelBundle.Load(TestEnvironment.ReferenceBundle);
        using var model = OnnxModel.Open(bundle.AudioBackbonePath!, TestEnvironment.Cpu with { IntraOpThreads = 1 });
        using var runner = model.CreateRunner(["features"]);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => runner.Run([new OnnxInput("waveform", new float[16000], [1, 16000])], cancelled.Token));

        // Mid-run: ten minutes of audio in one call stops at the next operator once the flag is set.
        var long10Min = new float[16000 * 600];
        using var midway = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.Throws<OperationCanceledException>(() => runner.Run([new OnnxInput("waveform", long10Min, [1, long10Min.Length])], midway.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"the cancelled run took {watch.Elapsed.TotalSeconds:0.0} s");

        // The runner's terminate flag is reset for the next run.
        using var outputs = runner.Run([new OnnxInput("waveform", new float[16000], [1, 16000])]);
        Assert.Equal(49, outputs[0].GetTensorTypeAndShape().Shape[1]);
    }

    [Fact]
    public async Task OneSessionServesManyThreadsWithTheSameResults()
    {
        var bundle = ModelBundle.Load(TestEnvironment.ReferenceBundle);
        using var model = OnnxModel.Open(bundle.AudioBackbonePath!, TestEnvironment.Cpu with { IntraOpThreads = 1 });
        float[] Wave(int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, 16000).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        }

        float[] RunOnce(OnnxRunner runner, float[] wave)
        {
            using var outputs = runner.Run([new OnnxInput("waveform", wave, [1, wave.Length])]);
            return outputs[0].GetTensorDataAsSpan<float>().ToArray();
        }

        var waves = Enumerable.Range(0, 4).Select(Wave).ToArray();
        float[][] sequential;
        using (var runner = model.CreateRunner(["features"]))
        {
            sequential = waves.Select(w => RunOnce(runner, w)).ToArray();
        }

        var concurrent = await Task.WhenAll(waves.Select(w => Task.Run(() =>
        {
            using var runner = model.CreateRunner(["features"]);
            return Enumerable.Range(0, 20).Select(_ => RunOnce(runner, w)).ToArray();
        })));

        // Each runner gets its own wave's features back, never another's (those differ by whole units). Bit-exact
        // equality is not what ONNX Runtime promises: under a loaded host the CPU kernels have been seen to differ
        // in the last float bit between runs of the same input.
        for (var i = 0; i < waves.Length; i++)
        {
            var expected = sequential[i];
            Assert.All(concurrent[i], r =>
            {
                Assert.Equal(expected.Length, r.Length);
                var worst = expected.Zip(r, (e, a) => Math.Abs(e - a) / Math.Max(1, Math.Abs(e))).Max();
                Assert.True(worst < 1e-5, $"a concurrent run differs from the sequential one by {worst:g3}");
            });
        }
    }

    [GeneratedRegex(@"(lib[\w.+-]*?\.so(?:\.\d+)*): cannot open shared object file")]
    private static partial Regex MissingLibrary();

    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines)
            {
                Lines.Add((logLevel, formatter(state, exception)));
            }
        }
    }
}
