using EmiPlatform.Bench;

// The platform benchmarks (issues 6, 11 and 14) have a class each; every other mode is BenchCommand's.
return args switch
{
    ["scoring-compare", .. var rest] => await ScoringBenchmark.RunAsync(rest),
    ["scheduling-overhead", .. var rest] => await SchedulingBenchmark.RunAsync(rest),
    ["failover-gap", .. var rest] => await FailoverBenchmark.RunAsync(rest),
    ["fairness", .. var rest] => await FairnessBenchmark.RunAsync(rest),
    ["load", .. var rest] => await LoadBenchmark.RunAsync(rest),
    _ => await BenchCommand.RunAsync(args),
};
