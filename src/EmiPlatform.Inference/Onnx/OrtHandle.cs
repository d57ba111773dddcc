using System.Runtime.InteropServices;

namespace EmiPlatform.Inference.Onnx;

/// <summary>
/// Owns one native ONNX Runtime object and releases it with the matching <c>Release*</c> function, so a leaked
/// managed wrapper still frees its native object on finalisation and a disposed one can never be released twice.
/// </summary>
internal sealed unsafe class OrtHandle : SafeHandle
{
    private readonly delegate* unmanaged[Cdecl]<nint, void> _release;

    public OrtHandle(nint handle, delegate* unmanaged[Cdecl]<nint, void> release)
        : base(0, ownsHandle: true)
    {
        _release = release;
        SetHandle(handle);
        Interlocked.Increment(ref s_live);
    }

    private static long s_live;

    /// <summary>Native objects created through the binding and not yet released; the leak tests watch it.</summary>
    public static long LiveCount => Interlocked.Read(ref s_live);

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        _release(handle);
        Interlocked.Decrement(ref s_live);
        return true;
    }
}
