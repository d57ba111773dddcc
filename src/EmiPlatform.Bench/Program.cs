using EmiPlatform.Bench;

// scoring-compare lives in its own class (issue 6); every other mode is BenchCommand's.
return args is ["scoring-compare", .. var rest]
    ? await ScoringBenchmark.RunAsync(rest)
    : await BenchCommand.RunAsync(args);
