using EmiPlatform.Bench;

return await BenchCommand.RunAsync(args);
