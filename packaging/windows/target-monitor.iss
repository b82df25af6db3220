; Inno Setup 6 script: a Windows installer around the one-folder build.
;
;   .venv\Scripts\python packaging\build.py
;   iscc packaging\windows\target-monitor.iss
;
; gives build\target-monitor-<version>-setup.exe. The version is read from the version resource
; of the built target-monitor.exe (which comes from desktop\__init__.py); when build.py was run
; with --dist DIR, pass the same folder as an absolute path: iscc /DBuildDir=DIR ...
; Not tested in CI (no Windows there): see packaging\README.md.

#ifndef BuildDir
  #define BuildDir AddBackslash(SourcePath) + "..\..\build"
#endif
#define Bundle BuildDir + "\dist\target-monitor"
#if !FileExists(Bundle + "\target-monitor.exe")
  #error No bundle to install: run python packaging\build.py first
#endif
#define AppVersion GetStringFileInfo(Bundle + "\target-monitor.exe", "ProductVersion")

[Setup]
; Keep AppId: Windows knows an installed copy, and its upgrades, by it.
AppId={{A1D26F75-EE16-4314-8556-747F1668BE7E}
AppName=Target Monitor
AppVersion={#AppVersion}
AppVerName=Target Monitor {#AppVersion}
AppPublisher=Target Monitor
DefaultDirName={autopf}\Target Monitor
DefaultGroupName=Target Monitor
DisableProgramGroupPage=yes
; Installs for the current user without administrator rights; an administrator may choose all
; users in the dialog.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#BuildDir}
OutputBaseFilename=target-monitor-{#AppVersion}-setup
#if FileExists(BuildDir + "\work\target-monitor\icons\target-monitor.ico")
SetupIconFile={#BuildDir}\work\target-monitor\icons\target-monitor.ico
#endif
UninstallDisplayIcon={app}\target-monitor.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Target Monitor"; Filename: "{app}\target-monitor.exe"
Name: "{autodesktop}\Target Monitor"; Filename: "{app}\target-monitor.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\target-monitor.exe"; Description: "{cm:LaunchProgram,Target Monitor}"; Flags: nowait postinstall skipifsilent

; The user's database (%LOCALAPPDATA%\target-monitor) and settings (%APPDATA%\TargetMonitor) are
; not removed on uninstall: they hold the figures people entered.
