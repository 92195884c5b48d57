// Placeholder until the kernel, wheels and HTTPD filter land.
Console.Error.WriteLine("ForkPerConnection: not implemented yet.");
return 1;
