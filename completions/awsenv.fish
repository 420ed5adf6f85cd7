# awsenv completion for fish. Generated from awsenv's commands: do not edit.
# Where it goes: save it as ~/.config/fish/completions/awsenv.fish (fish loads it on first use):
#   awsenv completion fish > ~/.config/fish/completions/awsenv.fish

# Names of KIND (profiles|sessions|targets) from the AWS config, one candidate per line.
function __awsenv_names --argument-names kind
    awsenv complete $kind 2>/dev/null
end

# Whether option $opt of command $cmd ('' before the command) takes a value.
function __awsenv_takes_value --argument-names cmd opt
    switch "$cmd $opt"
        case 'configure --start-url' 'configure --sso-region' 'configure --session' 'configure --region' 'configure --scopes'
            return 0
        case 'console --destination' 'console --service' 'console --region' 'console --duration' 'console --chain'
            return 0
        case 'credential-process --profile'
            return 0
        case 'emulator --port' 'emulator --directory' 'emulator --accounts' 'emulator --roles' 'emulator --start-url' 'emulator --region' 'emulator --latency-ms' 'emulator --throttle-rate' 'emulator --tps-limit' 'emulator --error-rate' 'emulator --error-operations' 'emulator --seed' 'emulator --access-token-ttl' 'emulator --session-ttl' 'emulator --credential-ttl' 'emulator --registration-ttl' 'emulator --device-interval' 'emulator --device-code-ttl' 'emulator --malformed' 'emulator --user-name'
            return 0
        case 'exec --chain'
            return 0
        case 'export -f' 'export --format' 'export --chain'
            return 0
        case 'list --session' 'list --include' 'list --exclude'
            return 0
        case 'login --session' 'login --profile'
            return 0
        case 'logout --session'
            return 0
        case 'sandbox --shell'
            return 0
        case 'serve --port' 'serve --bind' 'serve -f' 'serve --format'
            return 0
        case 'status --session'
            return 0
        case 'sync --session' 'sync --name' 'sync --region' 'sync --include' 'sync --exclude'
            return 0
        case 'use --mode' 'use --region' 'use --chain'
            return 0
    end
    return 1
end

# Three lines: the subcommand ('' if none yet), how many positional words follow
# it, and 1 when the word being completed is the value of an option.
function __awsenv_state
    set -l tokens (commandline -opc)
    set -l cmd ''
    set -l n 0
    set -l value 0
    for tok in $tokens[2..-1]
        if test $value = 1
            set value 0
        else if string match -q -- '-*' $tok
            __awsenv_takes_value "$cmd" $tok; and set value 1
        else if test -z "$cmd"
            set cmd $tok
        else
            set n (math $n + 1)
        end
    end
    printf '%s\n' $cmd $n $value
end

function __awsenv_needs_command
    set -l state (__awsenv_state)
    test -z "$state[1]"; and test "$state[3]" = 0
end

function __awsenv_using --argument-names name
    set -l state (__awsenv_state)
    test "$state[1]" = "$name"
end

# Whether the word being completed is positional word $index (from 0) of command
# $name; with --rest, that word or any later one.
function __awsenv_slot --argument-names name index rest
    set -l state (__awsenv_state)
    test "$state[1]" = "$name"; and test "$state[3]" = 0; or return 1
    if test "$rest" = --rest
        test $state[2] -ge $index
    else
        test $state[2] -eq $index
    end
end

complete -c awsenv -f
complete -c awsenv -n '__awsenv_needs_command' -l 'version' -d 'Show the version and exit'
complete -c awsenv -n '__awsenv_needs_command' -l 'debug' -d 'Log what awsenv does on stderr (never secrets)'
complete -c awsenv -n '__awsenv_needs_command' -s 'h' -l 'help' -d 'Show this message and exit'
complete -c awsenv -n __awsenv_needs_command -a 'allow' -d 'Trust the .awsenv in DIRECTORY (default: here or the nearest above)'
complete -c awsenv -n __awsenv_needs_command -a 'completion' -d 'Print the completion script for SHELL (the same file as completions/ sh'\Xe2\X80\Xa6
complete -c awsenv -n __awsenv_needs_command -a 'configure' -d 'Add or update an [sso-session NAME] section in ~/.aws/config'
complete -c awsenv -n __awsenv_needs_command -a 'console' -d 'Sign in to the AWS console as PROFILE\'s role'
complete -c awsenv -n __awsenv_needs_command -a 'credential-process' -d 'Print PROFILE\'s role credentials for an AWS `credential_process` setting'
complete -c awsenv -n __awsenv_needs_command -a 'deny' -d 'Block the .awsenv in DIRECTORY, whatever it contains, until `awsenv all'\Xe2\X80\Xa6
complete -c awsenv -n __awsenv_needs_command -a 'doctor' -d 'Check the set-up (config, sign-in, keyring, shell hook, PATH, clock, to'\Xe2\X80\Xa6
complete -c awsenv -n __awsenv_needs_command -a 'emulator' -d 'Run a local IAM Identity Center (sso-oidc, sso portal, STS, console fed'\Xe2\X80\Xa6
complete -c awsenv -n __awsenv_needs_command -a 'exec' -d 'Run COMMAND with PROFILE\'s credentials, region and AWSENV_PROFILE in it'\Xe2\X80\Xa6
complete -c awsenv -n __awsenv_needs_command -a 'export' -d 'Print PROFILE\'s credentials (and region) as statements for a shell'
complete -c awsenv -n __awsenv_needs_command -a 'help' -d 'Show awsenv\'s help, or COMMAND\'s (the same as `awsenv COMMAND --help`)'
complete -c awsenv -n __awsenv_needs_command -a 'init' -d 'Print the hook for SHELL'
complete -c awsenv -n __awsenv_needs_command -a 'list' -d 'List the accounts and roles you can reach, with the local profile for e'\Xe2\X80\Xa6
complete -c awsenv -n __awsenv_needs_command -a 'login' -d 'Sign in to IAM Identity Center once'
complete -c awsenv -n __awsenv_needs_command -a 'logout' -d 'Sign out: end the portal session, delete keyring entries and cached cre'\Xe2\X80\Xa6
complete -c awsenv -n __awsenv_needs_command -a 'sandbox' -d 'Try everything offline: a local emulator, a sign-in, synced profiles an'\Xe2\X80\Xa6
complete -c awsenv -n __awsenv_needs_command -a 'serve' -d 'Serve PROFILE\'s credentials on a local endpoint that SDKs renew from by'\Xe2\X80\Xa6
complete -c awsenv -n __awsenv_needs_command -a 'status' -d 'Show each session\'s sign-in state'
complete -c awsenv -n __awsenv_needs_command -a 'sync' -d 'Write a profile for every account/role you can reach'
complete -c awsenv -n __awsenv_needs_command -a 'use' -d 'Switch this shell to PROFILE (needs the shell hook from `awsenv init`)'

# allow
complete -c awsenv -n '__awsenv_using allow' -s 'h' -l 'help' -d 'Show this message and exit'
complete -c awsenv -n '__awsenv_slot allow 0' -a '(__fish_complete_directories)'

# completion
complete -c awsenv -n '__awsenv_using completion' -s 'h' -l 'help' -d 'Show this message and exit'
complete -c awsenv -n '__awsenv_slot completion 0' -a 'bash zsh fish pwsh'

# configure
complete -c awsenv -n '__awsenv_using configure' -l 'start-url' -x -d 'AWS access portal URL, e.g. https://mycorp.awsapps.com/start'
complete -c awsenv -n '__awsenv_using configure' -l 'sso-region' -x -d 'Identity Center\'s own region (not where you deploy), e.g. us-east-1'
complete -c awsenv -n '__awsenv_using configure' -l 'session' -x -a '(__awsenv_names sessions)' -d 'sso-session name [default: the start URL\'s first label, https://mycorp.'\Xe2\X80\Xa6
complete -c awsenv -n '__awsenv_using configure' -l 'region' -x -d 'Default region for the profiles `awsenv sync` generates for this session'
complete -c awsenv -n '__awsenv_using configure' -l 'scopes' -x -d 'Registration scopes, comma-separated or repeated [default: sso:account:'\Xe2\X80\Xa6
complete -c awsenv -n '__awsenv_using configure' -s 'h' -l 'help' -d 'Show this message and exit'

# console
complete -c awsenv -n '__awsenv_using console' -l 'print' -d 'Print the sign-in URL instead of opening a browser'
complete -c awsenv -n '__awsenv_using console' -l 'destination' -x -d 'Console page to land on, on the partition\'s console host (default: the'\Xe2\X80\Xa6
complete -c awsenv -n '__awsenv_using console' -l 'service' -x -d 'Land on this service\'s console page (s3, ec2, lambda, logs, ...)'
complete -c awsenv -n '__awsenv_using console' -l 'region' -x -d 'Console region (default: the profile\'s region)'
complete -c awsenv -n '__awsenv_using console' -l 'duration' -x -d 'Console session length, 15m to 12h (e.g. 1h, 90m, 3600)'
complete -c awsenv -n '__awsenv_using console' -l 'via-portal' -d 'Use the access portal\'s shortcut link (signs in with the browser\'s port'\Xe2\X80\Xa6
complete -c awsenv -n '__awsenv_using console' -l 'chain' -x -d 'Assume ROLE_ARN with PROFILE\'s credentials (repeat to chain further)'
complete -c awsenv -n '__awsenv_using console' -s 'h' -l 'help' -d 'Show this message and exit'
complete -c awsenv -n '__awsenv_slot console 0' -a '(__awsenv_names targets)'

# credential-process
complete -c awsenv -n '__awsenv_using credential-process' -l 'profile' -x -a '(__awsenv_names profiles)' -d 'The AWS profile to get credentials for'
complete -c awsenv -n '__awsenv_using credential-process' -s 'h' -l 'help' -d 'Show this message and exit'

# deny
complete -c awsenv -n '__awsenv_using deny' -s 'h' -l 'help' -d 'Show this message and exit'
complete -c awsenv -n '__awsenv_slot deny 0' -a '(__fish_complete_directories)'

# doctor
complete -c awsenv -n '__awsenv_using doctor' -l 'json' -d 'Print the checks as a JSON list'
complete -c awsenv -n '__awsenv_using doctor' -s 'h' -l 'help' -d 'Show this message and exit'

# emulator
complete -c awsenv -n '__awsenv_using emulator' -l 'port' -x -d 'Loopback port (0 picks a free one)'
complete -c awsenv -n '__awsenv_using emulator' -l 'directory' -r -F -d 'JSON file of accounts: {"accounts": [{"id": "111111111111", "name": "de'\Xe2\X80\Xa6
complete -c awsenv -n '__awsenv_using emulator' -l 'accounts' -x -d 'Generate N accounts instead of the default four'
complete -c awsenv -n '__awsenv_using emulator' -l 'roles' -x -d 'Roles per generated account (with --accounts)'
complete -c awsenv -n '__awsenv_using emulator' -l 'hostile' -d 'Account/role names full of quotes, $(), backticks, newlines, unicode'
complete -c awsenv -n '__awsenv_using emulator' -l 'start-url' -x -d 'Start URL to accept (default the fake awsapps.com one)'
complete -c awsenv -n '__awsenv_using emulator' -l 'region' -x -d 'Region the start URL lives in (default us-east-1)'
complete -c awsenv -n '__awsenv_using emulator' -l 'auto-approve' -d 'Approve device and browser sign-ins without the approval page'
complete -c awsenv -n '__awsenv_using emulator' -l 'deny-approvals' -d 'Turn every approval into a denial'
complete -c awsenv -n '__awsenv_using emulator' -l 'latency-ms' -x -d 'Delay every API answer'
complete -c awsenv -n '__awsenv_using emulator' -l 'throttle-rate' -x -d 'Fraction of portal calls answered 429'
complete -c awsenv -n '__awsenv_using emulator' -l 'tps-limit' -x -d 'Portal calls per second before 429 (AWS: 20)'
complete -c awsenv -n '__awsenv_using emulator' -l 'error-rate' -x -d 'Fraction of calls answered 500'
complete -c awsenv -n '__awsenv_using emulator' -l 'error-operations' -x -d 'Comma list of operations --error-rate applies to'
complete -c awsenv -n '__awsenv_using emulator' -l 'seed' -x -d 'Seed for throttle/error decisions (reproducible)'
complete -c awsenv -n '__awsenv_using emulator' -l 'access-token-ttl' -x -d 'Access token lifetime, seconds'
complete -c awsenv -n '__awsenv_using emulator' -l 'no-refresh-rotation' -d 'Keep refresh tokens on refresh'
complete -c awsenv -n '__awsenv_using emulator' -l 'session-ttl' -x -d 'Identity Center session lifetime, seconds'
complete -c awsenv -n '__awsenv_using emulator' -l 'credential-ttl' -x -d 'Role credential lifetime, seconds'
complete -c awsenv -n '__awsenv_using emulator' -l 'registration-ttl' -x -d 'Client registration lifetime, seconds'
complete -c awsenv -n '__awsenv_using emulator' -l 'device-interval' -x -d 'Device flow poll interval, seconds'
complete -c awsenv -n '__awsenv_using emulator' -l 'device-code-ttl' -x -d 'Device code lifetime, seconds'
complete -c awsenv -n '__awsenv_using emulator' -l 'malformed' -x -d 'Comma list of operations answering broken JSON (`Op`) or `{}` (`Op:miss'\Xe2\X80\Xa6
complete -c awsenv -n '__awsenv_using emulator' -l 'user-name' -x -d 'User name in assumed-role ARNs'
complete -c awsenv -n '__awsenv_using emulator' -l 'verbose' -d 'Log each request on stderr'
complete -c awsenv -n '__awsenv_using emulator' -s 'h' -l 'help' -d 'Show this message and exit'

# exec
complete -c awsenv -n '__awsenv_using exec' -l 'server' -d 'Give COMMAND a private credentials endpoint that renews, not raw keys'
complete -c awsenv -n '__awsenv_using exec' -l 'chain' -x -d 'Assume ROLE_ARN with PROFILE\'s credentials (repeat to chain further)'
complete -c awsenv -n '__awsenv_using exec' -s 'h' -l 'help' -d 'Show this message and exit'
complete -c awsenv -n '__awsenv_slot exec 0' -a '(__awsenv_names targets)'
complete -c awsenv -n '__awsenv_slot exec 1' -a '(__fish_complete_command)'
complete -c awsenv -n '__awsenv_slot exec 2 --rest' -F

# export
complete -c awsenv -n '__awsenv_using export' -s 'f' -l 'format' -x -a 'env env-no-export fish powershell windows-cmd dotenv json' -d 'Output format: the shell or file that reads it'
complete -c awsenv -n '__awsenv_using export' -l 'chain' -x -d 'Assume ROLE_ARN with PROFILE\'s credentials (repeat to chain further)'
complete -c awsenv -n '__awsenv_using export' -s 'h' -l 'help' -d 'Show this message and exit'
complete -c awsenv -n '__awsenv_slot export 0' -a '(__awsenv_names targets)'

# help
complete -c awsenv -n '__awsenv_using help' -s 'h' -l 'help' -d 'Show this message and exit'

# init
complete -c awsenv -n '__awsenv_using init' -s 'h' -l 'help' -d 'Show this message and exit'
complete -c awsenv -n '__awsenv_slot init 0' -a 'bash zsh fish pwsh'

# list
complete -c awsenv -n '__awsenv_using list' -l 'session' -x -a '(__awsenv_names sessions)' -d 'sso-session to list (default: the only one configured)'
complete -c awsenv -n '__awsenv_using list' -l 'refresh' -d 'Ask the portal again even if a listing from the last few minutes (AWSEN'\Xe2\X80\Xa6
complete -c awsenv -n '__awsenv_using list' -l 'json' -d 'One JSON array of {account_id, account_name, email, role_name, profiles'\Xe2\X80\Xa6
complete -c awsenv -n '__awsenv_using list' -l 'include' -x -d 'Show only roles matching this glob (repeatable; as `awsenv sync --inclu'\Xe2\X80\Xa6
complete -c awsenv -n '__awsenv_using list' -l 'exclude' -x -d 'Leave out roles matching this glob (repeatable)'
complete -c awsenv -n '__awsenv_using list' -s 'h' -l 'help' -d 'Show this message and exit'

# login
complete -c awsenv -n '__awsenv_using login' -l 'session' -x -a '(__awsenv_names sessions)' -d 'The sso-session to sign in to'
complete -c awsenv -n '__awsenv_using login' -l 'profile' -x -a '(__awsenv_names profiles)' -d 'Sign in to the session this profile uses'
complete -c awsenv -n '__awsenv_using login' -l 'no-browser' -d 'Never open a browser: sign in with a device code shown here'
complete -c awsenv -n '__awsenv_using login' -l 'use-device-code' -d 'Use a device code instead of the browser redirect (PKCE)'
complete -c awsenv -n '__awsenv_using login' -s 'h' -l 'help' -d 'Show this message and exit'

# logout
complete -c awsenv -n '__awsenv_using logout' -l 'session' -x -a '(__awsenv_names sessions)' -d 'The sso-session to sign out of'
complete -c awsenv -n '__awsenv_using logout' -l 'all' -d 'Sign out of every configured session'
complete -c awsenv -n '__awsenv_using logout' -s 'h' -l 'help' -d 'Show this message and exit'

# sandbox
complete -c awsenv -n '__awsenv_using sandbox' -l 'shell' -x -a 'bash zsh fish' -d 'Shell for the interactive sandbox'
complete -c awsenv -n '__awsenv_using sandbox' -l 'script' -d 'Run the scripted tour even on a terminal (what CI does)'
complete -c awsenv -n '__awsenv_using sandbox' -s 'h' -l 'help' -d 'Show this message and exit'

# serve
complete -c awsenv -n '__awsenv_using serve' -l 'port' -x -d 'TCP port to listen on (0: any free port)'
complete -c awsenv -n '__awsenv_using serve' -l 'bind' -x -d 'IP address to listen on'
complete -c awsenv -n '__awsenv_using serve' -l 'imds' -d 'Answer as the EC2 instance metadata service (IMDSv2), for one PROFILE'
complete -c awsenv -n '__awsenv_using serve' -s 'f' -l 'format' -x -a 'env env-no-export fish powershell windows-cmd dotenv json' -d 'Output format of the variables to export'
complete -c awsenv -n '__awsenv_using serve' -s 'h' -l 'help' -d 'Show this message and exit'

# status
complete -c awsenv -n '__awsenv_using status' -l 'session' -x -a '(__awsenv_names sessions)' -d 'Only this sso-session'
complete -c awsenv -n '__awsenv_using status' -l 'json' -d 'Machine-readable output'
complete -c awsenv -n '__awsenv_using status' -l 'check' -d 'Ask Identity Center whether it still honours each sign-in (one call per'\Xe2\X80\Xa6
complete -c awsenv -n '__awsenv_using status' -s 'h' -l 'help' -d 'Show this message and exit'

# sync
complete -c awsenv -n '__awsenv_using sync' -l 'session' -x -a '(__awsenv_names sessions)' -d 'sso-session to sync (default: the only one configured)'
complete -c awsenv -n '__awsenv_using sync' -l 'dry-run' -d 'Show the diff on stdout'
complete -c awsenv -n '__awsenv_using sync' -l 'diff' -d 'Also print the unified diff of the change on stdout'
complete -c awsenv -n '__awsenv_using sync' -l 'prune' -d 'Remove generated profiles whose role is no longer assigned'
complete -c awsenv -n '__awsenv_using sync' -l 'name' -x -d 'Profile name template'
complete -c awsenv -n '__awsenv_using sync' -l 'native' -d 'Write native sso_session/sso_account_id/sso_role_name profiles instead'\Xe2\X80\Xa6
complete -c awsenv -n '__awsenv_using sync' -l 'region' -x -d 'Region for the profiles (default: the session\'s default, else its sso_r'\Xe2\X80\Xa6
complete -c awsenv -n '__awsenv_using sync' -l 'include' -x -d 'Write only roles matching this glob (repeatable), matched against ACCOU'\Xe2\X80\Xa6
complete -c awsenv -n '__awsenv_using sync' -l 'exclude' -x -d 'Leave out roles matching this glob (repeatable; as --include)'
complete -c awsenv -n '__awsenv_using sync' -l 'no-filter' -d 'Drop the session\'s remembered --include/--exclude: write every role'
complete -c awsenv -n '__awsenv_using sync' -s 'h' -l 'help' -d 'Show this message and exit'

# use
complete -c awsenv -n '__awsenv_using use' -l 'mode' -x -a 'profile env' -d 'profile: export AWS_PROFILE (default)'
complete -c awsenv -n '__awsenv_using use' -l 'region' -x -d 'Also set AWS_REGION / AWS_DEFAULT_REGION'
complete -c awsenv -n '__awsenv_using use' -l 'unset' -d 'Undo `awsenv use`: restore what was there before'
complete -c awsenv -n '__awsenv_using use' -l 'debug' -d 'Log what awsenv does on stderr (never secrets)'
complete -c awsenv -n '__awsenv_using use' -l 'chain' -x -d 'Assume ROLE_ARN with PROFILE\'s credentials (repeat to chain further)'
complete -c awsenv -n '__awsenv_using use' -s 'h' -l 'help' -d 'Show this message and exit'
complete -c awsenv -n '__awsenv_slot use 0' -a '(__awsenv_names targets)'
