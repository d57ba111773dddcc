using System.Diagnostics;
using System.Globalization;

namespace EmiPlatform.Bench;

/// <summary>
/// Where the CPU went over one phase of a benchmark: the API process (with its reaped ffmpeg children), the benchmark
/// itself (its clients), and the whole machine, each in cores (CPU seconds per wall second).
/// </summary>
internal sealed class CpuShare
{
    private readonly int _apiPid;
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private readonly double _api;
    private readonly double _self;
    private readonly double _machine;

    public CpuShare(int apiPid)
    {
        _apiPid = apiPid;
        (_api, _self, _machine) = Now();
    }

    /// <summary>The cores used since construction, as text.</summary>
    public string Used()
    {
        var (api, self, machine) = Now();
        var wall = _wall.Elapsed.TotalSeconds;
        return string.Create(CultureInfo.InvariantCulture,
            $"API {(api - _api) / wall:F2} cores, benchmark clients {(self - _self) / wall:F2}, whole machine {(machine - _machine) / wall:F2} of {Environment.ProcessorCount}");
    }

    private (double Api, double Self, double Machine) Now() =>
        (MachineCpu.ProcessSeconds(_apiPid), Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, MachineCpu.BusySeconds());
}
