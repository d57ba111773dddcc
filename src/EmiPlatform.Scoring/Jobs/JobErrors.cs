namespace EmiPlatform.Scoring.Jobs;

/// <summary>
/// A job's error as the lab reads it. ffmpeg, the probe and the pipeline name the file they were given, which is the
/// worker's temporary copy (<c>emi-job-…-1.mp4</c>); the lab knows the recording by the name it uploaded, and the
/// worker's paths are none of its business.
/// </summary>
public static class JobErrors
{
    public static string InLabsWords(string message, string tempPath, string originalFileName) =>
        message
            .Replace(tempPath, originalFileName, StringComparison.Ordinal)
            .Replace(Path.GetFileName(tempPath), originalFileName, StringComparison.Ordinal);
}
