namespace EmiPlatform.Api.Tests;

/// <summary>Runs the memory measurement alone, after the parallel classes: the process's memory is then the export's.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ExportMemoryCollection
{
    public const string Name = "export memory (serial)";
}
