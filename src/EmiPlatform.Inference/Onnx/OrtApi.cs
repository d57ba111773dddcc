using System.Runtime.InteropServices;

namespace EmiPlatform.Inference.Onnx;

/// <summary>
/// The subset of ONNX Runtime's C API table (<c>struct OrtApi</c> in onnxruntime_c_api.h) that the engine uses.
/// The struct is append-only across releases, so a function's slot index never changes; the indices below were
/// counted from the header. Every pointer is read once, when the library is loaded.
/// </summary>
internal sealed unsafe class OrtApi
{
    // The newest API version libonnxruntime 1.30 accepts; older libraries return null and we try lower versions.
    public const uint NewestApiVersion = 30;
    // CUDA_V2 and its options object arrived in API 11, everything else we use is older.
    public const uint OldestApiVersion = 11;

    public readonly delegate* unmanaged[Cdecl]<int, byte*, nint> CreateStatus;                       // 0
    public readonly delegate* unmanaged[Cdecl]<nint, int> GetErrorCode;                               // 1
    public readonly delegate* unmanaged[Cdecl]<nint, byte*> GetErrorMessage;                          // 2
    public readonly delegate* unmanaged[Cdecl]<int, byte*, nint*, nint> CreateEnv;                    // 3
    public readonly delegate* unmanaged[Cdecl]<nint, byte*, nint, nint*, nint> CreateSession;         // 7
    public readonly delegate* unmanaged[Cdecl]<nint, nint, byte**, nint*, nuint, byte**, nuint, nint*, nint> Run; // 9
    public readonly delegate* unmanaged[Cdecl]<nint*, nint> CreateSessionOptions;                     // 10
    public readonly delegate* unmanaged[Cdecl]<nint, nint> DisableMemPattern;                         // 17
    public readonly delegate* unmanaged[Cdecl]<nint, nint> DisableCpuMemArena;                        // 19
    public readonly delegate* unmanaged[Cdecl]<nint, int, nint> SetSessionGraphOptimizationLevel;     // 23
    public readonly delegate* unmanaged[Cdecl]<nint, int, nint> SetIntraOpNumThreads;                 // 24
    public readonly delegate* unmanaged[Cdecl]<nint, int, nint> SetInterOpNumThreads;                 // 25
    public readonly delegate* unmanaged[Cdecl]<nint, nuint*, nint> SessionGetInputCount;              // 30
    public readonly delegate* unmanaged[Cdecl]<nint, nuint*, nint> SessionGetOutputCount;             // 31
    public readonly delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint> SessionGetInputTypeInfo;     // 33
    public readonly delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint> SessionGetOutputTypeInfo;    // 34
    public readonly delegate* unmanaged[Cdecl]<nint, nuint, nint, byte**, nint> SessionGetInputName;  // 36
    public readonly delegate* unmanaged[Cdecl]<nint, nuint, nint, byte**, nint> SessionGetOutputName; // 37
    public readonly delegate* unmanaged[Cdecl]<nint*, nint> CreateRunOptions;                         // 39
    public readonly delegate* unmanaged[Cdecl]<nint, nint> RunOptionsSetTerminate;                    // 46
    public readonly delegate* unmanaged[Cdecl]<nint, void*, nuint, long*, nuint, int, nint*, nint> CreateTensorWithDataAsOrtValue; // 49
    public readonly delegate* unmanaged[Cdecl]<nint, void**, nint> GetTensorMutableData;              // 51
    public readonly delegate* unmanaged[Cdecl]<nint, nint*, nint> CastTypeInfoToTensorInfo;           // 55
    public readonly delegate* unmanaged[Cdecl]<nint, int*, nint> GetTensorElementType;                // 60
    public readonly delegate* unmanaged[Cdecl]<nint, nuint*, nint> GetDimensionsCount;                // 61
    public readonly delegate* unmanaged[Cdecl]<nint, long*, nuint, nint> GetDimensions;               // 62
    public readonly delegate* unmanaged[Cdecl]<nint, byte**, nuint, nint> GetSymbolicDimensions;      // 63
    public readonly delegate* unmanaged[Cdecl]<nint, nint*, nint> GetTensorTypeAndShape;              // 65
    public readonly delegate* unmanaged[Cdecl]<int, int, nint*, nint> CreateCpuMemoryInfo;            // 69
    public readonly delegate* unmanaged[Cdecl]<nint, void*, nint> AllocatorFree;                      // 76
    public readonly delegate* unmanaged[Cdecl]<nint*, nint> GetAllocatorWithDefaultOptions;           // 78
    public readonly delegate* unmanaged[Cdecl]<nint, void> ReleaseEnv;                                // 92
    public readonly delegate* unmanaged[Cdecl]<nint, void> ReleaseStatus;                             // 93
    public readonly delegate* unmanaged[Cdecl]<nint, void> ReleaseMemoryInfo;                         // 94
    public readonly delegate* unmanaged[Cdecl]<nint, void> ReleaseSession;                            // 95
    public readonly delegate* unmanaged[Cdecl]<nint, void> ReleaseValue;                              // 96
    public readonly delegate* unmanaged[Cdecl]<nint, void> ReleaseRunOptions;                         // 97
    public readonly delegate* unmanaged[Cdecl]<nint, void> ReleaseTypeInfo;                           // 98
    public readonly delegate* unmanaged[Cdecl]<nint, void> ReleaseTensorTypeAndShapeInfo;             // 99
    public readonly delegate* unmanaged[Cdecl]<nint, void> ReleaseSessionOptions;                     // 100
    public readonly delegate* unmanaged[Cdecl]<byte***, int*, nint> GetAvailableProviders;            // 125
    public readonly delegate* unmanaged[Cdecl]<byte**, int, nint> ReleaseAvailableProviders;          // 126
    public readonly delegate* unmanaged[Cdecl]<nint, byte*, byte*, nint> AddSessionConfigEntry;       // 130
    public readonly delegate* unmanaged[Cdecl]<nint, nint, nint, nint> CreateAndRegisterAllocator;    // 144
    public readonly delegate* unmanaged[Cdecl]<nuint, int, int, int, nint*, nint> CreateArenaCfg;     // 156
    public readonly delegate* unmanaged[Cdecl]<nint, void> ReleaseArenaCfg;                           // 157
    public readonly delegate* unmanaged[Cdecl]<nint, nint, nint> SessionOptionsAppendExecutionProvider_CUDA_V2; // 204
    public readonly delegate* unmanaged[Cdecl]<nint*, nint> CreateCUDAProviderOptions;                // 205
    public readonly delegate* unmanaged[Cdecl]<nint, byte**, byte**, nuint, nint> UpdateCUDAProviderOptions; // 206
    public readonly delegate* unmanaged[Cdecl]<nint, void> ReleaseCUDAProviderOptions;                // 208

    public uint Version { get; }
    public string RuntimeVersion { get; }

    private OrtApi(nint table, uint version, string runtimeVersion)
    {
        Version = version;
        RuntimeVersion = runtimeVersion;
        var s = (nint*)table;
        CreateStatus = (delegate* unmanaged[Cdecl]<int, byte*, nint>)s[0];
        GetErrorCode = (delegate* unmanaged[Cdecl]<nint, int>)s[1];
        GetErrorMessage = (delegate* unmanaged[Cdecl]<nint, byte*>)s[2];
        CreateEnv = (delegate* unmanaged[Cdecl]<int, byte*, nint*, nint>)s[3];
        CreateSession = (delegate* unmanaged[Cdecl]<nint, byte*, nint, nint*, nint>)s[7];
        Run = (delegate* unmanaged[Cdecl]<nint, nint, byte**, nint*, nuint, byte**, nuint, nint*, nint>)s[9];
        CreateSessionOptions = (delegate* unmanaged[Cdecl]<nint*, nint>)s[10];
        DisableMemPattern = (delegate* unmanaged[Cdecl]<nint, nint>)s[17];
        DisableCpuMemArena = (delegate* unmanaged[Cdecl]<nint, nint>)s[19];
        SetSessionGraphOptimizationLevel = (delegate* unmanaged[Cdecl]<nint, int, nint>)s[23];
        SetIntraOpNumThreads = (delegate* unmanaged[Cdecl]<nint, int, nint>)s[24];
        SetInterOpNumThreads = (delegate* unmanaged[Cdecl]<nint, int, nint>)s[25];
        SessionGetInputCount = (delegate* unmanaged[Cdecl]<nint, nuint*, nint>)s[30];
        SessionGetOutputCount = (delegate* unmanaged[Cdecl]<nint, nuint*, nint>)s[31];
        SessionGetInputTypeInfo = (delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint>)s[33];
        SessionGetOutputTypeInfo = (delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint>)s[34];
        SessionGetInputName = (delegate* unmanaged[Cdecl]<nint, nuint, nint, byte**, nint>)s[36];
        SessionGetOutputName = (delegate* unmanaged[Cdecl]<nint, nuint, nint, byte**, nint>)s[37];
        CreateRunOptions = (delegate* unmanaged[Cdecl]<nint*, nint>)s[39];
        RunOptionsSetTerminate = (delegate* unmanaged[Cdecl]<nint, nint>)s[46];
        CreateTensorWithDataAsOrtValue = (delegate* unmanaged[Cdecl]<nint, void*, nuint, long*, nuint, int, nint*, nint>)s[49];
        GetTensorMutableData = (delegate* unmanaged[Cdecl]<nint, void**, nint>)s[51];
        CastTypeInfoToTensorInfo = (delegate* unmanaged[Cdecl]<nint, nint*, nint>)s[55];
        GetTensorElementType = (delegate* unmanaged[Cdecl]<nint, int*, nint>)s[60];
        GetDimensionsCount = (delegate* unmanaged[Cdecl]<nint, nuint*, nint>)s[61];
        GetDimensions = (delegate* unmanaged[Cdecl]<nint, long*, nuint, nint>)s[62];
        GetSymbolicDimensions = (delegate* unmanaged[Cdecl]<nint, byte**, nuint, nint>)s[63];
        GetTensorTypeAndShape = (delegate* unmanaged[Cdecl]<nint, nint*, nint>)s[65];
        CreateCpuMemoryInfo = (delegate* unmanaged[Cdecl]<int, int, nint*, nint>)s[69];
        AllocatorFree = (delegate* unmanaged[Cdecl]<nint, void*, nint>)s[76];
        GetAllocatorWithDefaultOptions = (delegate* unmanaged[Cdecl]<nint*, nint>)s[78];
        ReleaseEnv = (delegate* unmanaged[Cdecl]<nint, void>)s[92];
        ReleaseStatus = (delegate* unmanaged[Cdecl]<nint, void>)s[93];
        ReleaseMemoryInfo = (delegate* unmanaged[Cdecl]<nint, void>)s[94];
        ReleaseSession = (delegate* unmanaged[Cdecl]<nint, void>)s[95];
        ReleaseValue = (delegate* unmanaged[Cdecl]<nint, void>)s[96];
        ReleaseRunOptions = (delegate* unmanaged[Cdecl]<nint, void>)s[97];
        ReleaseTypeInfo = (delegate* unmanaged[Cdecl]<nint, void>)s[98];
        ReleaseTensorTypeAndShapeInfo = (delegate* unmanaged[Cdecl]<nint, void>)s[99];
        ReleaseSessionOptions = (delegate* unmanaged[Cdecl]<nint, void>)s[100];
        GetAvailableProviders = (delegate* unmanaged[Cdecl]<byte***, int*, nint>)s[125];
        ReleaseAvailableProviders = (delegate* unmanaged[Cdecl]<byte**, int, nint>)s[126];
        AddSessionConfigEntry = (delegate* unmanaged[Cdecl]<nint, byte*, byte*, nint>)s[130];
        CreateAndRegisterAllocator = (delegate* unmanaged[Cdecl]<nint, nint, nint, nint>)s[144];
        CreateArenaCfg = (delegate* unmanaged[Cdecl]<nuint, int, int, int, nint*, nint>)s[156];
        ReleaseArenaCfg = (delegate* unmanaged[Cdecl]<nint, void>)s[157];
        SessionOptionsAppendExecutionProvider_CUDA_V2 = (delegate* unmanaged[Cdecl]<nint, nint, nint>)s[204];
        CreateCUDAProviderOptions = (delegate* unmanaged[Cdecl]<nint*, nint>)s[205];
        UpdateCUDAProviderOptions = (delegate* unmanaged[Cdecl]<nint, byte**, byte**, nuint, nint>)s[206];
        ReleaseCUDAProviderOptions = (delegate* unmanaged[Cdecl]<nint, void>)s[208];
    }

    /// <summary>Loads the native library and asks it for the newest API table it supports.</summary>
    public static OrtApi Load(string libraryPath)
    {
        if (!File.Exists(libraryPath))
        {
            throw new OnnxRuntimeException(
                $"ONNX Runtime native library not found at '{libraryPath}'. Run infra/onnxruntime.sh (or infra/up.sh) and set " +
                "Inference:OnnxRuntimeLibrary or EMI_ORT_LIBRARY to the path it prints.");
        }

        var lib = NativeLibrary.Load(libraryPath);
        if (!NativeLibrary.TryGetExport(lib, "OrtGetApiBase", out var getApiBaseExport))
        {
            throw new OnnxRuntimeException($"'{libraryPath}' does not export OrtGetApiBase; it is not an ONNX Runtime library.");
        }

        var getApiBase = (delegate* unmanaged[Cdecl]<nint>)getApiBaseExport;
        // struct OrtApiBase { const OrtApi* (*GetApi)(uint32_t); const char* (*GetVersionString)(void); }
        var apiBase = (nint*)getApiBase();
        var getApi = (delegate* unmanaged[Cdecl]<uint, nint>)apiBase[0];
        var getVersion = (delegate* unmanaged[Cdecl]<byte*>)apiBase[1];
        var runtimeVersion = Marshal.PtrToStringUTF8((nint)getVersion()) ?? "unknown";

        for (var version = NewestApiVersion; version >= OldestApiVersion; version--)
        {
            var table = getApi(version);
            if (table != 0)
            {
                return new OrtApi(table, version, runtimeVersion);
            }
        }

        throw new OnnxRuntimeException(
            $"ONNX Runtime {runtimeVersion} at '{libraryPath}' supports none of the API versions {OldestApiVersion}..{NewestApiVersion}.");
    }

    /// <summary>Turns a returned OrtStatus* into an exception (and releases it); null means success.</summary>
    public void Check(nint status)
    {
        if (status == 0)
        {
            return;
        }

        var code = (OrtErrorCode)GetErrorCode(status);
        var message = Marshal.PtrToStringUTF8((nint)GetErrorMessage(status)) ?? "(no message)";
        ReleaseStatus(status);
        throw new OnnxRuntimeException(message, code);
    }
}
