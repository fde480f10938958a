using System.ComponentModel;
using System.Diagnostics;

namespace OrderDapr.Deployment.Tests.Rendering;

// A program the deployment tests run (kubectl, node), to its end: its exit code and output. A
// program that is not installed is an error saying how to install it, never a skip.
public static class CommandLineTool
{
    public static (int ExitCode, string Output, string Errors) Run(string program, IEnumerable<string> arguments, string installHint, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? "",
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"{program} is needed and was not found ({ex.Message}). {installHint}", ex);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            return (process.ExitCode, stdout.Result, stderr.Result);
        }
    }
}
