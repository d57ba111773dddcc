using System.Collections.Concurrent;
using EmiPlatform.Bundles;
using EmiPlatform.Inference.Onnx;

namespace EmiPlatform.Inference.Scoring;

/// <summary>
/// The sessions of each bundle, one set per device, opened on first use and shared by every recording scored at the
/// same time: creating a session costs far more than a segment's inference. Disposing closes them all.
/// </summary>
internal sealed class ModelCache : IDisposable
{
    private readonly OnnxSessionOptions _sessionOptions;
    private readonly InferencePlacement _placement;
    private readonly int _segmentsPerCall;
    private readonly ConcurrentDictionary<string, Lazy<BundleModels[]>> _models = new(StringComparer.Ordinal);

    /// <param name="segmentsPerCall">above 1, each branch session gets a <see cref="SegmentBatcher"/> of that many segments</param>
    public ModelCache(OnnxSessionOptions sessionOptions, InferencePlacement placement, int segmentsPerCall)
    {
        _sessionOptions = sessionOptions;
        _placement = placement;
        _segmentsPerCall = segmentsPerCall;
    }

    /// <summary>The bundle's sessions, indexed by device slot (one on the CPU); opened on the first call for the bundle.</summary>
    public BundleModels[] For(ModelBundle bundle)
    {
        var key = $"{bundle.Directory}|{bundle.Name}|{bundle.Version}";
        var lazy = _models.GetOrAdd(key, _ => new Lazy<BundleModels[]>(() => Load(bundle)));
        return lazy.Value;
    }

    private BundleModels[] Load(ModelBundle bundle)
    {
        int?[] devices = _placement.UsesCuda ? _placement.CudaDevices.Select(d => (int?)d).ToArray() : [null];
        var loaded = new List<BundleModels>(devices.Length);
        // Everything opened so far, closed again when a later session fails to open.
        var opened = new List<IDisposable>();
        T? Keep<T>(T? item) where T : class, IDisposable
        {
            if (item is not null)
            {
                opened.Add(item);
            }

            return item;
        }

        try
        {
            foreach (var device in devices)
            {
                OnnxModel? OpenFile(string? path) => path is null ? null : Keep(OnnxModel.Open(path, _sessionOptions, device));
                loaded.Add(new BundleModels(
                    bundle.Audio is { } a ? Keep(OpenBranch(OpenFile(bundle.AudioBackbonePath)!, null, OpenFile(bundle.AudioHeadPath)!, BranchStages.For(a))) : null,
                    bundle.Visual is { } v ? Keep(OpenBranch(OpenFile(bundle.VisualBackbonePath)!, OpenFile(bundle.VisualPreprocessPath), OpenFile(bundle.VisualHeadPath)!, BranchStages.For(v))) : null,
                    OpenFile(bundle.FaceDetectorPath),
                    bundle.ActionUnitModelPath is { } au ? Keep(OpenActionUnitModel(bundle, au, device)) : null,
                    OpenFile(bundle.SpeechModelPath),
                    OpenFile(bundle.LandmarkModelPath),
                    OpenFile(bundle.ExpressionModelPath)));
            }

            return [.. loaded];
        }
        catch
        {
            foreach (var item in opened)
            {
                item.Dispose();
            }

            throw;
        }
    }

    /// <summary>Opens the AU model and checks that the graph gives what the manifest says (and the branch takes).</summary>
    private OnnxModel OpenActionUnitModel(ModelBundle bundle, string path, int? device)
    {
        var spec = bundle.Visual!.Face!.ActionUnitModel!;
        var model = OnnxModel.Open(path, _sessionOptions, device);
        var outputs = model.Session.OutputMetadata;
        var width = outputs.TryGetValue(spec.Output.Name, out var output) && output.Dimensions.Length == 2 ? output.Dimensions[1] : (int?)null;
        if (width != bundle.Visual.ActionUnits || !model.Session.InputMetadata.ContainsKey(spec.Input.Name))
        {
            model.Dispose();
            throw new ModelBundleException(
                $"Bundle '{bundle.Name}': {spec.Onnx} has inputs [{string.Join(", ", model.Session.InputMetadata.Keys)}] and outputs " +
                $"[{string.Join(", ", outputs.Select(o => $"{o.Key} [{string.Join(", ", o.Value.Dimensions)}]"))}]; the manifest needs input {spec.Input.Name} " +
                $"and output {spec.Output.Name} [batch, {bundle.Visual.ActionUnits}] (the visual branch's AU input).");
        }

        return model;
    }

    private BranchModel OpenBranch(OnnxModel backbone, OnnxModel? preprocess, OnnxModel head, BranchStages stages) =>
        new(backbone, preprocess, head, stages, _segmentsPerCall);

    public void Dispose()
    {
        foreach (var lazy in _models.Values)
        {
            if (lazy.IsValueCreated)
            {
                foreach (var models in lazy.Value)
                {
                    models.Dispose();
                }
            }
        }

        _models.Clear();
    }
}
