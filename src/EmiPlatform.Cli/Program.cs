using EmiPlatform.Cli;

return await EmiCli.RunAsync(args, CliContext.FromProcess());
