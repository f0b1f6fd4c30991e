using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace PluginHost.Core.Telemetry;

/// <summary>
/// Aggregates the measurements of one <see cref="PluginHostMetrics.Meter"/> with a <see cref="MeterListener"/> and writes
/// them in the Prometheus text exposition format (version 0.0.4): counters as <c>_total</c>, histograms as cumulative
/// <c>_bucket</c>/<c>_sum</c>/<c>_count</c> using the instrument's advised bucket boundaries, observable instruments read
/// at scrape time. Only this host's meter is listened to, so several hosts in one process do not mix.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private readonly MeterListener _listener = new();
    private readonly List<InstrumentAggregate> _aggregates = [];
    private readonly Lock _scrapeLock = new();

    public PrometheusExporter(PluginHostMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var meter = metrics.Meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!ReferenceEquals(instrument.Meter, meter))
            {
                return;
            }

            var aggregate = InstrumentAggregate.For(instrument);
            lock (_aggregates)
            {
                _aggregates.Add(aggregate);
            }

            listener.EnableMeasurementEvents(instrument, aggregate);
        };
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((InstrumentAggregate)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((InstrumentAggregate)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((InstrumentAggregate)state!).Record(value, tags));
        _listener.Start();
    }

    /// <summary>Reads the observable instruments, then writes every metric.</summary>
    public string Scrape()
    {
        lock (_scrapeLock)
        {
            InstrumentAggregate[] aggregates;
            lock (_aggregates)
            {
                aggregates = [.. _aggregates];
            }

            foreach (var aggregate in aggregates.Where(a => a.IsObservable))
            {
                aggregate.Clear();
            }

            _listener.RecordObservableInstruments();
            var text = new StringBuilder(4096);
            foreach (var aggregate in aggregates.OrderBy(a => a.Name, StringComparer.Ordinal))
            {
                aggregate.WriteTo(text);
            }

            return text.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>Prometheus metric name from an OpenTelemetry-style instrument name and unit.</summary>
    internal static string MetricName(Instrument instrument, bool isCounter)
    {
        var name = instrument.Name.Replace('.', '_').Replace('-', '_');
        if (instrument.Unit == "s" && !name.EndsWith("_seconds", StringComparison.Ordinal))
        {
            name += "_seconds";
        }

        return isCounter && !name.EndsWith("_total", StringComparison.Ordinal) ? name + "_total" : name;
    }

    internal static string Format(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>One time series: its labels as recorded and its running values.</summary>
    private sealed class Series(KeyValuePair<string, object?>[] tags, int buckets)
    {
        public readonly KeyValuePair<string, object?>[] Tags = tags;
        public readonly long[] BucketCounts = new long[buckets];
        public double Value;
        public long Count;

        public bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length != Tags.Length)
            {
                return false;
            }

            foreach (var tag in tags)
            {
                if (!Has(tag))
                {
                    return false;
                }
            }

            return true;
        }

        private bool Has(KeyValuePair<string, object?> tag)
        {
            foreach (var own in Tags)
            {
                if (string.Equals(own.Key, tag.Key, StringComparison.Ordinal))
                {
                    return ReferenceEquals(own.Value, tag.Value) || Equals(own.Value, tag.Value);
                }
            }

            return false;
        }

        public void Add(double value)
        {
            var current = Volatile.Read(ref Value);
            while (true)
            {
                var seen = Interlocked.CompareExchange(ref Value, current + value, current);
                if (seen.Equals(current))
                {
                    return;
                }

                current = seen;
            }
        }
    }

    private enum Kind
    {
        Counter,
        Gauge,
        Histogram,
    }

    private sealed class InstrumentAggregate
    {
        private readonly Kind _kind;
        private readonly double[] _bounds;
        private readonly string _help;
        private readonly bool _assign;
        private readonly Lock _addLock = new();
        private Series[] _series = [];

        private InstrumentAggregate(Instrument instrument, Kind kind, double[] bounds, bool assign)
        {
            _kind = kind;
            _bounds = bounds;
            _assign = assign;
            IsObservable = instrument.IsObservable;
            Name = MetricName(instrument, kind == Kind.Counter);
            _help = (instrument.Description ?? instrument.Name).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
        }

        public string Name { get; }
        public bool IsObservable { get; }

        public static InstrumentAggregate For(Instrument instrument) => instrument switch
        {
            Histogram<double> histogram => new(instrument, Kind.Histogram,
                histogram.Advice?.HistogramBucketBoundaries?.ToArray() ?? DefaultBuckets, assign: false),
            Counter<long> or Counter<int> or Counter<double> => new(instrument, Kind.Counter, [], assign: false),
            // Observable counters report their running total: keep the last value.
            ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double> => new(instrument, Kind.Counter, [], assign: true),
            _ => new(instrument, Kind.Gauge, [], assign: instrument.IsObservable),
        };

        public void Clear() => Volatile.Write(ref _series, []);

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var series = Find(tags);
            if (_kind != Kind.Histogram)
            {
                if (_assign)
                {
                    Volatile.Write(ref series.Value, value);
                }
                else
                {
                    series.Add(value);
                }

                return;
            }

            var bucket = 0;
            while (bucket < _bounds.Length && value > _bounds[bucket])
            {
                bucket++;
            }

            if (bucket < _bounds.Length)
            {
                Interlocked.Increment(ref series.BucketCounts[bucket]);
            }

            series.Add(value);
            Interlocked.Increment(ref series.Count);
        }

        /// <summary>Lock-free for series already seen (the request path); a new label set is added under a lock.</summary>
        private Series Find(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var series in Volatile.Read(ref _series))
            {
                if (series.Matches(tags))
                {
                    return series;
                }
            }

            lock (_addLock)
            {
                var all = _series;
                foreach (var series in all)
                {
                    if (series.Matches(tags))
                    {
                        return series;
                    }
                }

                var added = new Series(tags.ToArray(), _bounds.Length);
                Volatile.Write(ref _series, [.. all, added]);
                return added;
            }
        }

        public void WriteTo(StringBuilder text)
        {
            var all = Volatile.Read(ref _series);
            var type = _kind switch { Kind.Counter => "counter", Kind.Histogram => "histogram", _ => "gauge" };
            text.Append("# HELP ").Append(Name).Append(' ').Append(_help).Append('\n');
            text.Append("# TYPE ").Append(Name).Append(' ').Append(type).Append('\n');
            foreach (var series in all.OrderBy(s => Labels(s.Tags, null), StringComparer.Ordinal))
            {
                if (_kind != Kind.Histogram)
                {
                    Line(text, Name, Labels(series.Tags, null), Volatile.Read(ref series.Value));
                    continue;
                }

                var count = Interlocked.Read(ref series.Count);
                long cumulative = 0;
                for (var i = 0; i < _bounds.Length; i++)
                {
                    cumulative += Interlocked.Read(ref series.BucketCounts[i]);
                    Line(text, Name + "_bucket", Labels(series.Tags, Format(_bounds[i])), cumulative);
                }

                Line(text, Name + "_bucket", Labels(series.Tags, "+Inf"), count);
                Line(text, Name + "_sum", Labels(series.Tags, null), Volatile.Read(ref series.Value));
                Line(text, Name + "_count", Labels(series.Tags, null), count);
            }
        }

        private static void Line(StringBuilder text, string name, string labels, double value) =>
            text.Append(name).Append(labels).Append(' ').Append(Format(value)).Append('\n');

        private static string Labels(KeyValuePair<string, object?>[] tags, string? le)
        {
            if (tags.Length == 0 && le is null)
            {
                return "";
            }

            var parts = tags
                .OrderBy(t => t.Key, StringComparer.Ordinal)
                .Select(t => $"{t.Key.Replace('.', '_')}=\"{Escape(Convert.ToString(t.Value, CultureInfo.InvariantCulture) ?? "")}\"");
            if (le is not null)
            {
                parts = parts.Append($"le=\"{le}\"");
            }

            return "{" + string.Join(',', parts) + "}";
        }

        private static string Escape(string value) =>
            value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
    }
}
