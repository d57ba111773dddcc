using EmiPlatform.Bench;

// The platform benchmarks (issues 6, 11, 14, 23 and 25) have a class each; every other mode is BenchCommand's.
return args switch
{
    ["scoring-compare", .. var rest] => await BenchArguments.RunAsync(rest, ScoringBenchmark.Usage, ScoringBenchmark.RunAsync),
    ["scheduling-overhead", .. var rest] => await BenchArguments.RunAsync(rest, SchedulingBenchmark.Usage, SchedulingBenchmark.RunAsync),
    ["failover-gap", .. var rest] => await BenchArguments.RunAsync(rest, FailoverBenchmark.Usage, FailoverBenchmark.RunAsync),
    ["fairness", .. var rest] => await BenchArguments.RunAsync(rest, FairnessBenchmark.Usage, FairnessBenchmark.RunAsync),
    ["rescore", .. var rest] => await BenchArguments.RunAsync(rest, RescoreBenchmark.Usage, RescoreBenchmark.RunAsync),
    ["neighbours", .. var rest] => await BenchArguments.RunAsync(rest, NeighboursBenchmark.Usage, NeighboursBenchmark.RunAsync),
    ["load", .. var rest] => await BenchArguments.RunAsync(rest, LoadBenchmark.Usage, LoadBenchmark.RunAsync),
    _ => await BenchCommand.RunAsync(args),
};
