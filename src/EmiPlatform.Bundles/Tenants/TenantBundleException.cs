namespace EmiPlatform.Bundles.Tenants;

/// <summary>
/// A lab's bundle that cannot be registered. <see cref="Field"/> names what is wrong (a manifest path such as
/// <c>visual.head.inputs.features</c>, or an uploaded file's name); <see cref="Kind"/> says how the API answers.
/// </summary>
public sealed class TenantBundleException(TenantBundleProblem kind, string field, string message) : Exception(message)
{
    public TenantBundleProblem Kind { get; } = kind;

    public string Field { get; } = field;
}
