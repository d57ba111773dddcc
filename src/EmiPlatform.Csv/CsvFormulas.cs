namespace EmiPlatform.Csv;

/// <summary>
/// What a CSV does with a text cell that starts with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, tab or carriage return,
/// which Excel, LibreOffice and Google Sheets would run as a formula when a lab opens the file (CSV injection: a
/// participant label <c>=HYPERLINK(…)</c> becomes a link that sends the sheet's data elsewhere).
/// </summary>
public enum CsvFormulas
{
    /// <summary>The default: such a cell is written quoted with a leading apostrophe, <c>"'=…"</c>, which shows as text.</summary>
    Escaped,

    /// <summary>Every cell exactly as stored, for pipelines that never open the file in a spreadsheet.</summary>
    Raw,
}
