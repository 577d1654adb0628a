using System.Diagnostics;

namespace Clarity.Evaluation;

/// <summary>Finds the repository (the folder holding Clarity.sln) and writes paths relative to it.</summary>
public static class RepoPaths
{
    public static string? Root(string? start = null)
    {
        foreach (var from in new[] { start, Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = from is null ? null : new DirectoryInfo(from); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Clarity.sln")))
                {
                    return dir.FullName;
                }
            }
        }
        return null;
    }

    /// <summary>
    /// The Online Retail file as shipped: ../shared/data/online-retail/ beside the repository,
    /// relative to the working directory so that reports record no machine's folders.
    /// </summary>
    public static string DefaultData() =>
        Path.GetRelativePath(Directory.GetCurrentDirectory(),
            Path.GetFullPath(Path.Combine(Root() ?? ".", "..", "shared", "data", "online-retail", "online-retail.csv.gz"))).Replace('\\', '/');

    /// <summary>The path relative to the repository root, with '/' separators; unchanged when there is no root.</summary>
    public static string Relative(string path)
    {
        var root = Root();
        return root is null ? path : Path.GetRelativePath(root, Path.GetFullPath(path)).Replace('\\', '/');
    }

    /// <summary>HEAD's commit and whether the engine's sources differ from it; empty and null without git.</summary>
    public static (string Commit, bool? Dirty) GitCommit()
    {
        var root = Root();
        if (root is null)
        {
            return ("", null);
        }
        var commit = Git(root, "rev-parse HEAD");
        if (commit is null)
        {
            return ("", null);
        }
        var status = Git(root, "status --porcelain -- src/Engine");
        return (commit, status is null ? null : status.Length > 0);
    }

    private static string? Git(string root, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("git", arguments)
            {
                WorkingDirectory = root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return null;
            }
            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
