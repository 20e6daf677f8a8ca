using System.Diagnostics;

namespace DepthwiseInterop.Benchmarks.Paired;

/// <summary>
/// Times the sides of one group against each other in one process. Each side gets a burst length (calls per
/// burst) picked once from a short calibration, so that a burst lasts about <see cref="PairedSettings.BurstMilliseconds"/>;
/// then warm-up rounds, then the measured rounds. A round runs one burst of every side, in list order on even
/// rounds and reversed on odd ones (A B, B A, A B, ...: ABBA across round pairs), so neither side always runs
/// first or right after the other. Drift slower than a round (a few bursts, tens of ms) hits both sides of a
/// round alike and cancels in that round's ratio; the median over rounds discards the rounds a burst of
/// another tenant hit one side only.
/// </summary>
public sealed class PairedRunner(PairedSettings settings)
{
    private const int MinimumCallsPerBurst = 10;

    private double quietSeconds;
    private int bursts;

    public PairedGroupResult Run(PairedGroup group)
    {
        long started = Stopwatch.GetTimestamp();
        (quietSeconds, bursts) = (0, 0);
        // Every native side of a group runs at the group's thread count; ORT's was set at construction.
        NativeApi.TrySetNumThreads(group.Threads);
        var inputs = new List<IDisposable>();
        var sides = group.CreateSides(inputs);
        try
        {
            int[] calls = sides.Select(CallsPerBurst).ToArray();
            for (int round = 0; round < settings.WarmupRounds; round++) RunRound(sides, calls, round);
            var perCall = sides.Select(_ => new double[settings.Rounds]).ToArray();
            for (int round = 0; round < settings.Rounds; round++)
            {
                double[] times = RunRound(sides, calls, round);
                for (int side = 0; side < sides.Count; side++) perCall[side][round] = times[side];
            }
            return new PairedGroupResult(group.Suite, group.Label, group.Threads,
                Math.Round(Stopwatch.GetElapsedTime(started).TotalSeconds, 2), Math.Round(quietSeconds / bursts * 1e3, 2),
                sides.Select((side, i) => SideResult(side, calls[i], perCall[i])).ToList(),
                group.Ratios.Select(r => RatioResult(r, sides, perCall)).ToList());
        }
        finally
        {
            foreach (var side in sides) side.Dispose();
            foreach (var input in inputs) input.Dispose();
        }
    }

    /// <summary>One burst of each side in this round's order; the per-call seconds of each side's burst.</summary>
    private double[] RunRound(List<PairedSide> sides, int[] calls, int round)
    {
        var times = new double[sides.Count];
        for (int step = 0; step < sides.Count; step++)
        {
            int side = round % 2 == 0 ? step : sides.Count - 1 - step;
            times[side] = Burst(sides[side], calls[side]);
        }
        return times;
    }

    private double Burst(PairedSide side, int calls)
    {
        // A rest before every burst, until the previous side's spinning workers have blocked (QuietThreads).
        Thread.Sleep(TimeSpan.FromMilliseconds(settings.PauseMilliseconds));
        quietSeconds += QuietThreads.Wait(TimeSpan.FromMilliseconds(settings.QuietTimeoutMilliseconds));
        bursts++;
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++) side.Call();
        return Stopwatch.GetElapsedTime(start).TotalSeconds / calls;
    }

    /// <summary>
    /// Calls for a burst's time twice: the first pass absorbs the first calls' costs (lazy setup, page faults,
    /// a thread pool starting its workers), the second's time per call sets the calls per burst. Both start on
    /// a quiet process, as the bursts do: a calibration that ran beside another side's spinning pool threads
    /// (just built) once gave a 2-thread side three calls per burst, whose first call, waking the blocked
    /// worker, then dominated every burst. At least <see cref="MinimumCallsPerBurst"/> calls for the same reason.
    /// </summary>
    private int CallsPerBurst(PairedSide side)
    {
        double target = settings.BurstMilliseconds / 1e3;
        QuietThreads.Wait(TimeSpan.FromMilliseconds(settings.QuietTimeoutMilliseconds));
        SecondsPerCall(side, target);
        QuietThreads.Wait(TimeSpan.FromMilliseconds(settings.QuietTimeoutMilliseconds));
        return Math.Max(MinimumCallsPerBurst, (int)Math.Round(target / SecondsPerCall(side, target)));
    }

    private static double SecondsPerCall(PairedSide side, double atLeastSeconds)
    {
        int calls = 0;
        long start = Stopwatch.GetTimestamp();
        double elapsed;
        do
        {
            side.Call();
            calls++;
            elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        } while (elapsed < atLeastSeconds);
        return elapsed / calls;
    }

    private static PairedSideResult SideResult(PairedSide side, int calls, double[] perCall)
    {
        double median = PairedStatistics.Median(perCall);
        return new PairedSideResult(side.Key.Method, side.Key.Shape, side.Key.Threads, side.Key.Layout, calls,
            Math.Round(median * 1e6, 3), Math.Round(perCall.Min() * 1e6, 3), Math.Round(side.Flops / median / 1e9, 2));
    }

    private static PairedRatioResult RatioResult(PairedRatio ratio, List<PairedSide> sides, double[][] perCall)
    {
        double scale = ratio.RateShare ? sides[ratio.Denominator].Flops / sides[ratio.Numerator].Flops : 1;
        var perRound = perCall[ratio.Numerator].Zip(perCall[ratio.Denominator], (n, d) => scale * n / d).ToArray();
        return new PairedRatioResult(ratio.Label, ratio.Numerator, ratio.Denominator, ratio.RateShare,
            Math.Round(PairedStatistics.Median(perRound), 4), Math.Round(PairedStatistics.Percentile(perRound, 25), 4),
            Math.Round(PairedStatistics.Percentile(perRound, 75), 4), perRound.Select(r => Math.Round(r, 4)).ToList());
    }
}
