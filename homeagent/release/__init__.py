"""The organisation's TUF repository tool (`homeagent-release`): IT/build side only."""
