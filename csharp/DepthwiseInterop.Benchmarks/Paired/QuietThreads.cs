using System.Diagnostics;

namespace DepthwiseInterop.Benchmarks.Paired;

/// <summary>
/// Waits until no other thread of this process is runnable. Thread pools spin after their last call before
/// they block (the library's workers ~20,000 SpinWait steps, ONNX Runtime's intra-op workers up to ~2^20
/// pause instructions): tens of ms in which a 2-thread side's spinning worker would take one of the 2 vCPUs
/// from the next side's burst, slowing that side alone, by up to 50x in a first try. In a process of its own
/// (BenchmarkDotNet) a side only ever meets its own spinners. Linux: the thread states of /proc/self/task.
/// </summary>
public static class QuietThreads
{
    /// <summary>Polls until at most the calling thread is runnable or <paramref name="timeout"/> passes; the seconds waited.</summary>
    public static double Wait(TimeSpan timeout)
    {
        if (!OperatingSystem.IsLinux()) return 0;
        long start = Stopwatch.GetTimestamp();
        while (RunnableThreads() > 1 && Stopwatch.GetElapsedTime(start) < timeout)
            Thread.Sleep(1);
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>Threads of this process in state R (running or runnable), the caller included.</summary>
    public static int RunnableThreads()
    {
        int runnable = 0;
        foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            string stat;
            try { stat = File.ReadAllText(Path.Combine(task, "stat")); }
            catch (IOException) { continue; }   // the thread exited meanwhile
            // "tid (name) S ...": the name may hold spaces and parentheses, the state follows the last ')'.
            int close = stat.LastIndexOf(')');
            if (close >= 0 && close + 2 < stat.Length && stat[close + 2] == 'R') runnable++;
        }
        return runnable;
    }
}
