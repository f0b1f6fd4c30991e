using System.Text;

namespace PluginHost.Benchmarks.Reporting;

/// <summary>The suite's output: machine info, one markdown table of every figure beside its baseline, and notes.</summary>
public sealed class ResultTable(MachineInfo machine, string mode, IReadOnlyList<string> settings)
{
    private static readonly string[] SectionNames = ["", "Request overhead", "Reload latency", "Reloads under load", "Memory across reloads", "Many apps", "Logging cost", "Real-stack app", "HTTPS", "SignalR across deploys", "Unmodified ASP.NET Core app", "Instant rollback and prepared promote", "Process mode"];
    private readonly List<BenchRow> _rows = [];
    private readonly List<string> _notes = [];

    public IReadOnlyList<BenchRow> Rows => _rows;

    public void Add(IEnumerable<BenchRow> rows) => _rows.AddRange(rows);

    public void Note(string note) => _notes.Add(note);

    public int Missed => _rows.Count(r => r.Verdict == Verdict.Missed);

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine(Fmt.F($"## PluginHost benchmarks ({mode}), {machine.Date:yyyy-MM-dd HH:mm} UTC"));
        text.AppendLine();
        text.AppendLine(Fmt.F($"{machine.Cores} cores ({machine.Cpu}), {machine.Runtime}, {machine.Os}."));
        foreach (var setting in settings)
        {
            text.AppendLine(Fmt.F($"{setting}."));
        }

        text.AppendLine();
        text.AppendLine("| Section | Measure | Host | Baseline | Ratio | Target | Met |");
        text.AppendLine("|---|---|---:|---:|---:|---|:---:|");
        var section = 0;
        foreach (var row in _rows)
        {
            var title = row.Section == section ? "" : Fmt.F($"{row.Section}. {SectionNames[row.Section]}");
            section = row.Section;
            text.AppendLine(Fmt.F($"| {title} | {row.Measure} | {row.Value} | {row.Baseline} | {row.Ratio} | {row.Target} | {Mark(row.Verdict)} |"));
        }

        var withTargets = _rows.Count(r => r.Verdict is Verdict.Met or Verdict.Missed);
        text.AppendLine();
        text.AppendLine(Fmt.F($"Targets met: {withTargets - Missed} of {withTargets}."));
        foreach (var note in _notes)
        {
            text.AppendLine(Fmt.F($"- {note}"));
        }

        return text.ToString();
    }

    private static string Mark(Verdict verdict) => verdict switch
    {
        Verdict.Met => "yes",
        Verdict.Missed => "**no**",
        Verdict.Skipped => "skipped",
        _ => "",
    };
}
