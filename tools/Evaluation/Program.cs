using Clarity.Evaluation;

return await Cli.RunAsync(args);
