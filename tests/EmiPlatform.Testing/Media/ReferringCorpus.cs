namespace EmiPlatform.Testing.Media;

/// <summary>
/// A test class's referring-input corpus: its own folder of generated files, all pointing at one fresh
/// <see cref="Canary"/>. Disposing stops the canary and deletes the folder.
/// </summary>
public sealed class ReferringCorpus : IAsyncDisposable
{
    private ReferringCorpus(string folder, Canary canary)
    {
        Folder = folder;
        Canary = canary;
        Inputs = ReferringInputs.Build(canary, folder);
    }

    public string Folder { get; }

    public Canary Canary { get; }

    public IReadOnlyList<ReferringInput> Inputs { get; }

    public static ReferringCorpus Create(string folderPrefix) =>
        new(Directory.CreateTempSubdirectory(folderPrefix).FullName, Canary.Start());

    public async ValueTask DisposeAsync()
    {
        await Canary.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}
