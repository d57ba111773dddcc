using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EmiPlatform.Bundles;

/// <summary>
/// The bundle new recordings are scored with (<c>Scoring:DefaultBundle</c>), registered in model_bundles on first
/// use if absent. Lazy rather than at start-up, so it never runs before the host's migrations.
/// </summary>
public sealed class DefaultBundle(
    BundleRegistry registry, IOptions<BundleOptions> options, IHostEnvironment environment, ILogger<DefaultBundle> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Guid? _id;

    public string? Directory => string.IsNullOrWhiteSpace(options.Value.DefaultBundle)
        ? null
        : Path.GetFullPath(options.Value.DefaultBundle, environment.ContentRootPath);

    public async Task<Guid> GetIdAsync(CancellationToken cancellationToken)
    {
        if (_id is { } known)
        {
            return known;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_id is null)
            {
                var directory = Directory ?? throw new InvalidOperationException(
                    "Scoring:DefaultBundle is not configured: set it to the directory of the bundle new recordings are scored with.");
                var (bundle, created) = await registry.RegisterAsync(directory, cancellationToken);
                logger.LogInformation("Default bundle {Name} {Version} (trained: {Trained}) {How} as {Id}",
                    bundle.Name, bundle.Version, bundle.Trained, created ? "registered" : "already registered", bundle.Id);
                _id = bundle.Id;
            }
            return _id.Value;
        }
        finally
        {
            _gate.Release();
        }
    }
}
