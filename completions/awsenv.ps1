# awsenv completion for PowerShell. Generated from awsenv's commands: do not edit.
# Where it goes: load it from your profile ($PROFILE), e.g. add the line
#   awsenv completion pwsh | Out-String | Invoke-Expression
# or save it (awsenv completion pwsh > ~/awsenv.ps1) and dot-source it there: . ~/awsenv.ps1

Register-ArgumentCompleter -Native -CommandName awsenv -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commands = [ordered]@{
        'allow' = 'Trust the .awsenv in DIRECTORY (default: here or the nearest above)'
        'completion' = 'Print the completion script for SHELL (the same file as completions/ sh…'
        'configure' = 'Add or update an [sso-session NAME] section in ~/.aws/config'
        'console' = 'Sign in to the AWS console as PROFILE''s role'
        'credential-process' = 'Print PROFILE''s role credentials for an AWS `credential_process` setting'
        'deny' = 'Block the .awsenv in DIRECTORY, whatever it contains, until `awsenv all…'
        'doctor' = 'Check the set-up (config, sign-in, keyring, shell hook, PATH, clock, to…'
        'emulator' = 'Run a local IAM Identity Center (sso-oidc, sso portal, STS, console fed…'
        'exec' = 'Run COMMAND with PROFILE''s credentials, region and AWSENV_PROFILE in it…'
        'export' = 'Print PROFILE''s credentials (and region) as statements for a shell'
        'help' = 'Show awsenv''s help, or COMMAND''s (the same as `awsenv COMMAND --help`)'
        'init' = 'Print the hook for SHELL'
        'list' = 'List the accounts and roles you can reach, with the local profile for e…'
        'login' = 'Sign in to IAM Identity Center once'
        'logout' = 'Sign out: end the portal session, delete keyring entries and cached cre…'
        'sandbox' = 'Try everything offline: a local emulator, a sign-in, synced profiles an…'
        'serve' = 'Serve PROFILE''s credentials on a local endpoint that SDKs renew from by…'
        'status' = 'Show each session''s sign-in state'
        'sync' = 'Write a profile for every account/role you can reach'
        'use' = 'Switch this shell to PROFILE (needs the shell hook from `awsenv init`)'
    }
    # Option names per command ('' before the command).
    $options = @{
        '' = @('--version', '--debug', '-h', '--help')
        'allow' = @('-h', '--help')
        'completion' = @('-h', '--help')
        'configure' = @('--start-url', '--sso-region', '--session', '--region', '--scopes', '-h', '--help')
        'console' = @('--print', '--destination', '--service', '--region', '--duration', '--via-portal', '--chain', '-h', '--help')
        'credential-process' = @('--profile', '-h', '--help')
        'deny' = @('-h', '--help')
        'doctor' = @('--json', '-h', '--help')
        'emulator' = @('--port', '--directory', '--accounts', '--roles', '--hostile', '--start-url', '--region', '--auto-approve', '--deny-approvals', '--latency-ms', '--throttle-rate', '--tps-limit', '--error-rate', '--error-operations', '--seed', '--access-token-ttl', '--no-refresh-rotation', '--session-ttl', '--credential-ttl', '--registration-ttl', '--device-interval', '--device-code-ttl', '--malformed', '--user-name', '--verbose', '-h', '--help')
        'exec' = @('--server', '--chain', '-h', '--help')
        'export' = @('-f', '--format', '--chain', '-h', '--help')
        'help' = @('-h', '--help')
        'init' = @('-h', '--help')
        'list' = @('--session', '--refresh', '--json', '--include', '--exclude', '-h', '--help')
        'login' = @('--session', '--profile', '--no-browser', '--use-device-code', '-h', '--help')
        'logout' = @('--session', '--all', '-h', '--help')
        'sandbox' = @('--shell', '--script', '-h', '--help')
        'serve' = @('--port', '--bind', '--imds', '-f', '--format', '-h', '--help')
        'status' = @('--session', '--json', '--check', '-h', '--help')
        'sync' = @('--session', '--dry-run', '--diff', '--prune', '--name', '--native', '--region', '--include', '--exclude', '--no-filter', '-h', '--help')
        'use' = @('--mode', '--region', '--unset', '--debug', '--chain', '-h', '--help')
    }
    # What a value completes to, by 'COMMAND OPTION' (options taking a value),
    # 'COMMAND N' (positional word N from 0) or 'COMMAND *' (any later word).
    $kinds = @{
        'allow 0' = 'dir'
        'completion 0' = 'choice'
        'completion 0 choices' = @('bash', 'zsh', 'fish', 'pwsh')
        'configure --start-url' = 'any'
        'configure --sso-region' = 'any'
        'configure --session' = 'sessions'
        'configure --region' = 'any'
        'configure --scopes' = 'any'
        'console --destination' = 'any'
        'console --service' = 'any'
        'console --region' = 'any'
        'console --duration' = 'any'
        'console --chain' = 'any'
        'console 0' = 'targets'
        'credential-process --profile' = 'profiles'
        'deny 0' = 'dir'
        'emulator --port' = 'any'
        'emulator --directory' = 'file'
        'emulator --accounts' = 'any'
        'emulator --roles' = 'any'
        'emulator --start-url' = 'any'
        'emulator --region' = 'any'
        'emulator --latency-ms' = 'any'
        'emulator --throttle-rate' = 'any'
        'emulator --tps-limit' = 'any'
        'emulator --error-rate' = 'any'
        'emulator --error-operations' = 'any'
        'emulator --seed' = 'any'
        'emulator --access-token-ttl' = 'any'
        'emulator --session-ttl' = 'any'
        'emulator --credential-ttl' = 'any'
        'emulator --registration-ttl' = 'any'
        'emulator --device-interval' = 'any'
        'emulator --device-code-ttl' = 'any'
        'emulator --malformed' = 'any'
        'emulator --user-name' = 'any'
        'exec --chain' = 'any'
        'exec 0' = 'targets'
        'exec 1' = 'command'
        'exec *' = 'file'
        'export -f' = 'choice'
        'export -f choices' = @('env', 'env-no-export', 'fish', 'powershell', 'windows-cmd', 'dotenv', 'json')
        'export --format' = 'choice'
        'export --format choices' = @('env', 'env-no-export', 'fish', 'powershell', 'windows-cmd', 'dotenv', 'json')
        'export --chain' = 'any'
        'export 0' = 'targets'
        'help 0' = 'any'
        'init 0' = 'choice'
        'init 0 choices' = @('bash', 'zsh', 'fish', 'pwsh')
        'list --session' = 'sessions'
        'list --include' = 'any'
        'list --exclude' = 'any'
        'login --session' = 'sessions'
        'login --profile' = 'profiles'
        'logout --session' = 'sessions'
        'sandbox --shell' = 'choice'
        'sandbox --shell choices' = @('bash', 'zsh', 'fish')
        'serve --port' = 'any'
        'serve --bind' = 'any'
        'serve -f' = 'choice'
        'serve -f choices' = @('env', 'env-no-export', 'fish', 'powershell', 'windows-cmd', 'dotenv', 'json')
        'serve --format' = 'choice'
        'serve --format choices' = @('env', 'env-no-export', 'fish', 'powershell', 'windows-cmd', 'dotenv', 'json')
        'serve *' = 'any'
        'status --session' = 'sessions'
        'sync --session' = 'sessions'
        'sync --name' = 'any'
        'sync --region' = 'any'
        'sync --include' = 'any'
        'sync --exclude' = 'any'
        'use --mode' = 'choice'
        'use --mode choices' = @('profile', 'env')
        'use --region' = 'any'
        'use --chain' = 'any'
        'use 0' = 'targets'
    }

    # The subcommand and the positional words before the cursor.
    $cmd = ''
    $n = 0
    $pending = $null
    $elements = @($commandAst.CommandElements | Where-Object { $_.Extent.EndOffset -lt $cursorPosition })
    for ($i = 1; $i -lt $elements.Count; $i++) {
        $word = $elements[$i].Extent.Text
        if ($null -ne $pending) {
            $pending = $null
        } elseif ($word.StartsWith('-')) {
            if ($kinds.ContainsKey("$cmd $word")) { $pending = "$cmd $word" }
        } elseif ($cmd -eq '') {
            $cmd = $word
        } else {
            $n++
        }
    }

    # Text to insert for a candidate: single-quoted unless it is a plain word
    # (PowerShell also treats the typographic single quotes as quotes).
    $quote = {
        param([string]$text)
        if ($text -match '^[\w.][\w./:+-]*$') { return $text }
        return "'" + ($text -replace "(['\u2018\u2019\u201A\u201B])", '$1$1') + "'"
    }
    $results = [System.Collections.Generic.List[System.Management.Automation.CompletionResult]]::new()
    $add = {
        param([string]$text, [string]$type, [string]$tip)
        if ($text.StartsWith($wordToComplete, [System.StringComparison]::OrdinalIgnoreCase)) {
            if (-not $tip) { $tip = $text }
            $results.Add([System.Management.Automation.CompletionResult]::new((& $quote $text), $text, $type, $tip))
        }
    }

    $key = $null
    if ($null -ne $pending) {
        $key = $pending
    } elseif ($wordToComplete.StartsWith('-')) {
        foreach ($name in $options[$cmd]) { & $add $name 'ParameterName' $name }
        return $results
    } elseif ($cmd -eq '') {
        foreach ($name in $commands.Keys) { & $add $name 'ParameterValue' $commands[$name] }
        return $results
    } elseif ($kinds.ContainsKey("$cmd $n")) {
        $key = "$cmd $n"
    } elseif ($kinds.ContainsKey("$cmd *")) {
        $key = "$cmd *"
    }
    if ($null -eq $key) { return $results }
    switch ($kinds[$key]) {
        'choice' {
            foreach ($name in $kinds["$key choices"]) { & $add $name 'ParameterValue' $name }
        }
        { $_ -in 'profiles', 'sessions', 'targets' } {
            foreach ($name in @(awsenv complete $kinds[$key] 2>$null)) {
                if ($name) { & $add ([string]$name) 'ParameterValue' ([string]$name) }
            }
        }
        # Files, directories, commands: PowerShell's own path completion takes over.
    }
    return $results
}
