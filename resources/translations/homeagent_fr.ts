<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>Alerts</name>
    <message>
        <source>Long break</source>
        <translation>Pause trop longue</translation>
    </message>
    <message>
        <source>Long call</source>
        <translation>Appel trop long</translation>
    </message>
    <message>
        <source>Wrap-up overrun</source>
        <translation>Post-appel dépassé</translation>
    </message>
    <message>
        <source>Missed calls in a row</source>
        <translation>Appels manqués à la suite</translation>
    </message>
    <message>
        <source>No break for a long time</source>
        <translation>Pas de pause depuis longtemps</translation>
    </message>
    <message>
        <source>Poor call quality</source>
        <translation>Mauvaise qualité d&apos;appel</translation>
    </message>
    <message>
        <source>Help request waiting</source>
        <translation>Demande d&apos;aide en attente</translation>
    </message>
    <message>
        <source>Alert</source>
        <translation>Alerte</translation>
    </message>
    <message>
        <source>MOS {value}</source>
        <translation>MOS {value}</translation>
    </message>
    <message>
        <source>{value} (threshold {threshold})</source>
        <translation>{value} (seuil {threshold})</translation>
    </message>
</context>
<context>
    <name>AlertsPanel</name>
    <message>
        <source>Raised</source>
        <translation>Déclenchée</translation>
    </message>
    <message>
        <source>Agent</source>
        <translation>Agent</translation>
    </message>
    <message>
        <source>Alert</source>
        <translation>Alerte</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Statut</translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation>Prise en compte</translation>
    </message>
    <message>
        <source>Today&apos;s alerts, open ones first</source>
        <translation>Alertes du jour, en cours d&apos;abord</translation>
    </message>
    <message>
        <source>Acknowledge</source>
        <translation>Prendre en compte</translation>
    </message>
    <message>
        <source>Acknowledge the selected alert (Enter)</source>
        <translation>Prendre en compte l&apos;alerte sélectionnée (Entrée)</translation>
    </message>
    <message>
        <source>No alert today.</source>
        <translation>Aucune alerte aujourd&apos;hui.</translation>
    </message>
    <message>
        <source>Alert: {kind}</source>
        <translation>Alerte : {kind}</translation>
    </message>
    <message>
        <source>{agent}: {detail}</source>
        <translation>{agent} : {detail}</translation>
    </message>
    <message>
        <source>Alerts unavailable: {why}</source>
        <translation>Alertes indisponibles : {why}</translation>
    </message>
    <message>
        <source>Acknowledging…</source>
        <translation>Prise en compte…</translation>
    </message>
    <message>
        <source>Acknowledged.</source>
        <translation>Prise en compte.</translation>
    </message>
    <message>
        <source>Not acknowledged: {why}</source>
        <translation>Non prise en compte : {why}</translation>
    </message>
    <message>
        <source>Ongoing</source>
        <translation>En cours</translation>
    </message>
    <message>
        <source>Over at {time}</source>
        <translation>Terminée à {time}</translation>
    </message>
    <message>
        <source>⚠ To acknowledge</source>
        <translation>⚠ À prendre en compte</translation>
    </message>
    <message>
        <source>{time} by {name}</source>
        <translation>{time} par {name}</translation>
    </message>
</context>
<context>
    <name>AudioSettingsPage</name>
    <message>
        <source>“{lost}” unplugged: no other sound device is available.</source>
        <translation>« {lost} » débranché : aucun autre périphérique audio n&apos;est disponible.</translation>
    </message>
    <message>
        <source>Audio settings</source>
        <translation>Réglages audio</translation>
    </message>
    <message>
        <source>&amp;Microphone</source>
        <translation>&amp;Microphone</translation>
    </message>
    <message>
        <source>&amp;Headset</source>
        <translation>&amp;Casque</translation>
    </message>
    <message>
        <source>&amp;Ringer</source>
        <translation>&amp;Sonnerie</translation>
    </message>
    <message>
        <source>Microphone level</source>
        <translation>Niveau du microphone</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>Niveau</translation>
    </message>
    <message>
        <source>&amp;Test</source>
        <translation>&amp;Tester</translation>
    </message>
    <message>
        <source>Play a short tone in the headset</source>
        <translation>Jouer un son court dans le casque</translation>
    </message>
    <message>
        <source>Ringer volume</source>
        <translation>Volume de la sonnerie</translation>
    </message>
    <message>
        <source>Ringer &amp;volume</source>
        <translation>&amp;Volume de la sonnerie</translation>
    </message>
    <message>
        <source>&amp;Filter background noise from my microphone</source>
        <translation>&amp;Filtrer les bruits autour de moi</translation>
    </message>
    <message>
        <source>Children, television, a fan: the customer hears your voice, not the house</source>
        <translation>Enfants, télévision, ventilateur : le client entend votre voix, pas la maison</translation>
    </message>
    <message>
        <source>&amp;Listen: before / after</source>
        <translation>&amp;Écouter : avant / après</translation>
    </message>
    <message>
        <source>Speak for 3 seconds, then hear yourself without and with the filter</source>
        <translation>Parlez 3 secondes, puis réécoutez-vous sans et avec le filtre</translation>
    </message>
    <message>
        <source>Noise</source>
        <translation>Bruits</translation>
    </message>
    <message>
        <source>Your choices are remembered, even when a device is unplugged.</source>
        <translation>Vos choix sont mémorisés, même quand un périphérique est débranché.</translation>
    </message>
    <message>
        <source>Unplugged: now using {name}</source>
        <translation>Débranché : remplacé pour l&apos;instant par {name}</translation>
    </message>
    <message>
        <source>Unplugged: no other device available</source>
        <translation>Débranché : aucun autre périphérique disponible</translation>
    </message>
    <message>
        <source>System default device ({name})</source>
        <translation>Périphérique par défaut du système ({name})</translation>
    </message>
    <message>
        <source>System default device</source>
        <translation>Périphérique par défaut du système</translation>
    </message>
    <message>
        <source>{name} (unplugged)</source>
        <translation>{name} (débranché)</translation>
    </message>
    <message>
        <source>Playing…</source>
        <translation>Lecture…</translation>
    </message>
    <message>
        <source>The noise filter is not installed on this computer: calls work, unfiltered.</source>
        <translation>Le filtre anti-bruit n’est pas installé sur cet ordinateur : les appels fonctionnent, sans filtrage.</translation>
    </message>
    <message>
        <source>The noise filter stopped after an error: calls go on without it. It will be back after restarting the application.</source>
        <translation>Le filtre anti-bruit s’est arrêté après une erreur : les appels continuent sans lui. Il reviendra au prochain démarrage de l’application.</translation>
    </message>
    <message>
        <source>On: the customer hears less of the noise around you.</source>
        <translation>Activé : le client entend moins les bruits autour de vous.</translation>
    </message>
    <message>
        <source>Off: the customer hears everything your microphone picks up.</source>
        <translation>Désactivé : le client entend tout ce que capte votre micro.</translation>
    </message>
    <message>
        <source>Recording: speak normally for 3 seconds…</source>
        <translation>Enregistrement : parlez normalement pendant 3 secondes…</translation>
    </message>
    <message>
        <source>Playing back: without the filter…</source>
        <translation>Réécoute : sans le filtre…</translation>
    </message>
    <message>
        <source>Playing back: with the filter…</source>
        <translation>Réécoute : avec le filtre…</translation>
    </message>
    <message>
        <source>Playing back again: the filter is not available, so unfiltered…</source>
        <translation>Nouvelle réécoute : le filtre n’est pas disponible, donc sans filtrage…</translation>
    </message>
    <message>
        <source>Done. The second playback is what the customer hears.</source>
        <translation>Terminé. La seconde réécoute est ce qu’entend le client.</translation>
    </message>
    <message>
        <source>Listening test stopped: a call came first.</source>
        <translation>Test d’écoute interrompu : un appel est arrivé.</translation>
    </message>
    <message>
        <source>Nothing was recorded: check that the microphone is plugged in and not muted.</source>
        <translation>Rien n’a été enregistré : vérifiez que le micro est branché et non coupé.</translation>
    </message>
    <message>
        <source>Microphone “{lost}” unplugged: now using “{now}”.</source>
        <translation>Microphone « {lost} » débranché : le micro utilisé est maintenant « {now} ».</translation>
    </message>
    <message>
        <source>Headset “{lost}” unplugged: you now hear calls on “{now}”.</source>
        <translation>Casque « {lost} » débranché : vous entendez maintenant les appels sur « {now} ».</translation>
    </message>
    <message>
        <source>Ringer “{lost}” unplugged: calls now ring on “{now}”.</source>
        <translation>Sonnerie « {lost} » débranchée : les appels sonnent maintenant sur « {now} ».</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
</context>
<context>
    <name>Backend</name>
    <message>
        <source>Team lead</source>
        <translation>Chef d&apos;équipe</translation>
    </message>
</context>
<context>
    <name>BoardActions</name>
    <message>
        <source>Message…</source>
        <translation>Message…</translation>
    </message>
    <message>
        <source>Set state…</source>
        <translation>Changer l&apos;état…</translation>
    </message>
    <message>
        <source>Cancel pending</source>
        <translation>Annuler le changement prévu</translation>
    </message>
    <message>
        <source>Agent&apos;s day</source>
        <translation>Journée de l&apos;agent</translation>
    </message>
    <message>
        <source>Listen</source>
        <translation>Écouter</translation>
    </message>
    <message>
        <source>Whisper</source>
        <translation>Chuchoter</translation>
    </message>
    <message>
        <source>Barge in</source>
        <translation>Intervenir</translation>
    </message>
    <message>
        <source>Stop supervising</source>
        <translation>Arrêter la double écoute</translation>
    </message>
    <message>
        <source>Thresholds…</source>
        <translation>Seuils…</translation>
    </message>
    <message>
        <source>Wallboard</source>
        <translation>Écran mural</translation>
    </message>
    <message>
        <source>Ask for a diagnostic report</source>
        <translation>Demander un rapport de diagnostic</translation>
    </message>
    <message>
        <source>Set state</source>
        <translation>Changer l&apos;état</translation>
    </message>
    <message>
        <source>Call supervision is not available in this console</source>
        <translation>La double écoute n&apos;est pas disponible dans cette console</translation>
    </message>
    <message>
        <source>Select one agent in a call</source>
        <translation>Sélectionnez un agent en communication</translation>
    </message>
    <message>
        <source>Applied after the current call</source>
        <translation>Appliqué après l&apos;appel en cours</translation>
    </message>
    <message>
        <source>Break</source>
        <translation>Pause</translation>
    </message>
    <message>
        <source>This team has no break reasons</source>
        <translation>Cette équipe n&apos;a pas de motifs de pause</translation>
    </message>
    <message>
        <source>Not ready…</source>
        <translation>Non prêt…</translation>
    </message>
    <message>
        <source>Sign out (Offline)…</source>
        <translation>Déconnecter (Hors ligne)…</translation>
    </message>
</context>
<context>
    <name>BoardView</name>
    <message>
        <source>Team board</source>
        <translation>Tableau de l&apos;équipe</translation>
    </message>
</context>
<context>
    <name>CallControls</name>
    <message>
        <source>Transfer destination</source>
        <translation>Destination du transfert</translation>
    </message>
    <message>
        <source>Hold  (Ctrl+H)</source>
        <translation>Mettre en attente  (Ctrl+H)</translation>
    </message>
    <message>
        <source>Mute  (Ctrl+M)</source>
        <translation>Couper le micro  (Ctrl+M)</translation>
    </message>
    <message>
        <source>Keypad</source>
        <translation>Clavier</translation>
    </message>
    <message>
        <source>Hang up  (Ctrl+Shift+E)</source>
        <translation>Raccrocher  (Ctrl+Maj+E)</translation>
    </message>
    <message>
        <source>Transfer</source>
        <translation>Transfert</translation>
    </message>
    <message>
        <source>Queue, agent or number</source>
        <translation>File, conseiller ou numéro</translation>
    </message>
    <message>
        <source>Transfer now</source>
        <translation>Transférer</translation>
    </message>
    <message>
        <source>Consult first</source>
        <translation>Consulter d&apos;abord</translation>
    </message>
    <message>
        <source>Complete transfer</source>
        <translation>Finaliser le transfert</translation>
    </message>
    <message>
        <source>Ask for help</source>
        <translation>Demande d&apos;aide</translation>
    </message>
    <message>
        <source>Ask your team lead for help ({keys})</source>
        <translation>Demander de l&apos;aide à votre chef d&apos;équipe ({keys})</translation>
    </message>
    <message>
        <source>Microphone off</source>
        <translation>Micro coupé</translation>
    </message>
    <message>
        <source>On hold · {time}</source>
        <translation>En attente · {time}</translation>
    </message>
    <message>
        <source>In conversation</source>
        <translation>En conversation</translation>
    </message>
    <message>
        <source>&amp;Notes during the call (the wrap-up starts from them)</source>
        <translation>&amp;Notes pendant l&apos;appel (le post-appel partira de là)</translation>
    </message>
    <message>
        <source>What the customer says, what you promise…</source>
        <translation>Ce que dit le client, ce que vous promettez…</translation>
    </message>
    <message>
        <source>Calling…</source>
        <translation>Appel en cours…</translation>
    </message>
    <message>
        <source>Resume  (Ctrl+H)</source>
        <translation>Reprendre  (Ctrl+H)</translation>
    </message>
    <message>
        <source>Unmute  (Ctrl+M)</source>
        <translation>Rétablir le micro  (Ctrl+M)</translation>
    </message>
    <message>
        <source>Help requested</source>
        <translation>Aide demandée</translation>
    </message>
    <message>
        <source>Consulting {number}…</source>
        <translation>Consultation de {number}…</translation>
    </message>
</context>
<context>
    <name>CallsPerHourChart</name>
    <message>
        <source>Calls per hour</source>
        <translation>Appels par heure</translation>
    </message>
    <message>
        <source>Calls per hour: no call yet</source>
        <translation>Appels par heure : aucun appel pour l&apos;instant</translation>
    </message>
    <message>
        <source>Calls</source>
        <translation>Appels</translation>
    </message>
</context>
<context>
    <name>CheckDialog</name>
    <message>
        <source>Check my setup</source>
        <translation>Vérifier mon poste</translation>
    </message>
    <message>
        <source>Checks in progress</source>
        <translation>Vérifications en cours</translation>
    </message>
    <message>
        <source>Test the microphone</source>
        <translation>Tester le micro</translation>
    </message>
    <message>
        <source>Speak for 3 seconds: you then hear yourself in the headset</source>
        <translation>Parlez pendant 3 secondes : vous vous entendez ensuite dans le casque</translation>
    </message>
    <message>
        <source>Microphone level</source>
        <translation>Niveau du micro</translation>
    </message>
    <message>
        <source>Play a sound</source>
        <translation>Jouer un son</translation>
    </message>
    <message>
        <source>Ring</source>
        <translation>Faire sonner</translation>
    </message>
    <message>
        <source>I hear it</source>
        <translation>Je l&apos;entends</translation>
    </message>
    <message>
        <source>I hear nothing</source>
        <translation>Je n&apos;entends rien</translation>
    </message>
    <message>
        <source>Check again</source>
        <translation>Recommencer</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Fermer</translation>
    </message>
    <message>
        <source>Checking your connection (about 15 seconds); meanwhile, test the microphone, the headset and the ringer below.</source>
        <translation>Vérification de votre connexion (environ 15 secondes) ; pendant ce temps, testez le micro, le casque et la sonnerie ci-dessous.</translation>
    </message>
</context>
<context>
    <name>CheckRow</name>
    <message>
        <source>Waiting…</source>
        <translation>En attente…</translation>
    </message>
</context>
<context>
    <name>ContactCard</name>
    <message>
        <source>Recent calls</source>
        <translation>Appels récents</translation>
    </message>
    <message>
        <source>Create contact</source>
        <translation>Créer le contact</translation>
    </message>
    <message>
        <source>First name</source>
        <translation>Prénom</translation>
    </message>
    <message>
        <source>Last name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Company</source>
        <translation>Société</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>Account {ref}</source>
        <translation>Compte {ref}</translation>
    </message>
    <message>
        <source>Last note: {note}</source>
        <translation>Dernière note : {note}</translation>
    </message>
    <message>
        <source>Caller</source>
        <translation>Appelant</translation>
    </message>
    <message>
        <source>Unknown caller</source>
        <translation>Appelant inconnu</translation>
    </message>
    <message>
        <source>Queue: {queue}</source>
        <translation>File : {queue}</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>Notes</translation>
    </message>
    <message>
        <source>Promised callbacks</source>
        <translation>Rappels promis</translation>
    </message>
    <message>
        <source>Call</source>
        <translation>Appeler</translation>
    </message>
    <message>
        <source>Call this contact</source>
        <translation>Appeler ce contact</translation>
    </message>
    <message>
        <source>Server history unavailable: showing what this computer knows.</source>
        <translation>Historique du serveur indisponible : voici ce que cet ordinateur en sait.</translation>
    </message>
    <message>
        <source>you</source>
        <translation>vous</translation>
    </message>
    <message>
        <source>a colleague</source>
        <translation>un collègue</translation>
    </message>
    <message>
        <source>{when} · {author}: {note}</source>
        <translation>{when} · {author} : {note}</translation>
    </message>
</context>
<context>
    <name>ContactFiles</name>
    <message>
        <source>no name</source>
        <translation>sans nom</translation>
    </message>
    <message>
        <source>unreadable</source>
        <translation>illisible</translation>
    </message>
    <message>
        <source>already in your contacts</source>
        <translation>déjà dans vos contacts</translation>
    </message>
    <message>
        <source>{name} ({reason})</source>
        <translation>{name} ({reason})</translation>
    </message>
    <message>
        <source>card {n} ({reason})</source>
        <translation>fiche {n} ({reason})</translation>
    </message>
    <message>
        <source>This file is too big (more than {mb} MB): nothing was imported.</source>
        <translation>Ce fichier est trop gros (plus de {mb} Mo) : rien n&apos;a été importé.</translation>
    </message>
    <message>
        <source>This file has more than {n} contacts: nothing was imported. Split it and import each part.</source>
        <translation>Ce fichier contient plus de {n} contacts : rien n&apos;a été importé. Découpez-le et importez chaque partie.</translation>
    </message>
    <message>
        <source>This file holds no vCard contact: nothing was imported.</source>
        <translation>Ce fichier ne contient aucun contact vCard : rien n&apos;a été importé.</translation>
    </message>
    <message>
        <source>The file could not be read or written: {why}</source>
        <translation>Le fichier n&apos;a pas pu être lu ou écrit : {why}</translation>
    </message>
    <message>
        <source>1 contact imported</source>
        <translation>1 contact importé</translation>
    </message>
    <message>
        <source>{n} contacts imported</source>
        <translation>{n} contacts importés</translation>
    </message>
    <message>
        <source>1 skipped</source>
        <translation>1 ignoré</translation>
    </message>
    <message>
        <source>{n} skipped</source>
        <translation>{n} ignorés</translation>
    </message>
    <message>
        <source>{count}: {names}</source>
        <translation>{count} : {names}</translation>
    </message>
    <message>
        <source>{imported}, {skipped}</source>
        <translation>{imported}, {skipped}</translation>
    </message>
    <message>
        <source>({n} numbers that are not phone numbers were left out.)</source>
        <translation>({n} numéro(s) invalide(s) laissé(s) de côté.)</translation>
    </message>
    <message>
        <source>1 contact exported to {file}.</source>
        <translation>1 contact exporté dans {file}.</translation>
    </message>
    <message>
        <source>{n} contacts exported to {file}.</source>
        <translation>{n} contacts exportés dans {file}.</translation>
    </message>
</context>
<context>
    <name>ContactFilesBar</name>
    <message>
        <source>Import contacts (vCard)…</source>
        <translation>Importer des contacts (vCard)…</translation>
    </message>
    <message>
        <source>Export (vCard)…</source>
        <translation>Exporter (vCard)…</translation>
    </message>
</context>
<context>
    <name>ContactFilesController</name>
    <message>
        <source>vCard files (*.vcf *.vcard);;All files (*)</source>
        <translation>Fichiers vCard (*.vcf *.vcard);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>Import contacts (vCard)</source>
        <translation>Importer des contacts (vCard)</translation>
    </message>
    <message>
        <source>Export contacts (vCard)</source>
        <translation>Exporter les contacts (vCard)</translation>
    </message>
    <message>
        <source>Importing {file}…</source>
        <translation>Import de {file}…</translation>
    </message>
    <message>
        <source>Exporting to {file}…</source>
        <translation>Export vers {file}…</translation>
    </message>
</context>
<context>
    <name>ContactSearch</name>
    <message>
        <source>Search a name, a company, a number…  (Ctrl+F)</source>
        <translation>Rechercher un nom, une société, un numéro…  (Ctrl+F)</translation>
    </message>
    <message>
        <source>Search contacts</source>
        <translation>Rechercher un contact</translation>
    </message>
    <message>
        <source>Contacts found</source>
        <translation>Contacts trouvés</translation>
    </message>
    <message>
        <source>Call</source>
        <translation>Appeler</translation>
    </message>
    <message>
        <source>{count} contacts</source>
        <translation>{count} contact(s)</translation>
    </message>
    <message>
        <source>Type a name, a company or a number.</source>
        <translation>Tapez un nom, une société ou un numéro.</translation>
    </message>
    <message>
        <source>Call {number}</source>
        <translation>Appeler {number}</translation>
    </message>
    <message>
        <source>From a link: press Call to dial {number}.</source>
        <translation>Depuis un lien : appuyez sur Appeler pour composer {number}.</translation>
    </message>
</context>
<context>
    <name>Controller</name>
    <message>
        <source>Callback at {time}</source>
        <translation>Rappel à {time}</translation>
    </message>
    <message>
        <source>Urgent message</source>
        <translation>Message urgent</translation>
    </message>
    <message>
        <source>Your team lead changed your state</source>
        <translation>Votre chef d&apos;équipe a changé votre état</translation>
    </message>
    <message>
        <source>Incoming call</source>
        <translation>Appel entrant</translation>
    </message>
</context>
<context>
    <name>DayCharts</name>
    <message>
        <source>States across the shift</source>
        <translation>États sur la vacation</translation>
    </message>
</context>
<context>
    <name>DayCsv</name>
    <message>
        <source>Agent</source>
        <translation>Agent</translation>
    </message>
    <message>
        <source>Calls handled</source>
        <translation>Appels traités</translation>
    </message>
    <message>
        <source>Missed</source>
        <translation>Manqués</translation>
    </message>
    <message>
        <source>Declined</source>
        <translation>Refusés</translation>
    </message>
    <message>
        <source>Talk time</source>
        <translation>Temps de conversation</translation>
    </message>
    <message>
        <source>Wrap-up time</source>
        <translation>Temps de post-appel</translation>
    </message>
    <message>
        <source>Handle time</source>
        <translation>Temps de traitement</translation>
    </message>
    <message>
        <source>Average handle time</source>
        <translation>Durée moyenne de traitement</translation>
    </message>
    <message>
        <source>Average wrap-up</source>
        <translation>Post-appel moyen</translation>
    </message>
    <message>
        <source>Breaks</source>
        <translation>Pauses</translation>
    </message>
    <message>
        <source>Break time</source>
        <translation>Durée des pauses</translation>
    </message>
    <message>
        <source>Hour</source>
        <translation>Heure</translation>
    </message>
    <message>
        <source>Calls</source>
        <translation>Appels</translation>
    </message>
    <message>
        <source>Average handle time (min)</source>
        <translation>Durée moyenne de traitement (min)</translation>
    </message>
    <message>
        <source>State</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motif</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Début</translation>
    </message>
    <message>
        <source>End</source>
        <translation>Fin</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Durée</translation>
    </message>
    <message>
        <source>Team</source>
        <translation>Équipe</translation>
    </message>
    <message>
        <source>day</source>
        <translation>journee</translation>
    </message>
</context>
<context>
    <name>DayView</name>
    <message>
        <source>Day</source>
        <translation>Jour</translation>
    </message>
    <message>
        <source>Team or agent</source>
        <translation>Équipe ou agent</translation>
    </message>
    <message>
        <source>Whole team</source>
        <translation>Toute l&apos;équipe</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Actualiser</translation>
    </message>
    <message>
        <source>CSV format</source>
        <translation>Format CSV</translation>
    </message>
    <message>
        <source>CSV (French: ; and 1,5)</source>
        <translation>CSV (français : ; et 1,5)</translation>
    </message>
    <message>
        <source>CSV (English: , and 1.5)</source>
        <translation>CSV (anglais : , et 1.5)</translation>
    </message>
    <message>
        <source>Export the day…</source>
        <translation>Exporter la journée…</translation>
    </message>
    <message>
        <source>Loading the day…</source>
        <translation>Chargement de la journée…</translation>
    </message>
    <message>
        <source>The day is unavailable: {why}</source>
        <translation>Journée indisponible : {why}</translation>
    </message>
    <message>
        <source>{calls} calls handled · average handle {aht} · {missed} missed · breaks {breaks} ({break_time})</source>
        <translation>{calls} appels traités · DMT {aht} · {missed} manqués · pauses {breaks} ({break_time})</translation>
    </message>
    <message>
        <source>No figures for this agent on that day.</source>
        <translation>Aucun chiffre pour cet agent ce jour-là.</translation>
    </message>
    <message>
        <source>{day}: {figures}</source>
        <translation>{day} : {figures}</translation>
    </message>
    <message>
        <source>Export the day</source>
        <translation>Exporter la journée</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>Fichiers CSV (*.csv)</translation>
    </message>
    <message>
        <source>team</source>
        <translation>equipe</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>Export en cours…</translation>
    </message>
    <message>
        <source>Exported to {path}</source>
        <translation>Exporté dans {path}</translation>
    </message>
    <message>
        <source>Not exported (no file was written): {why}</source>
        <translation>Non exporté (aucun fichier écrit) : {why}</translation>
    </message>
</context>
<context>
    <name>DeskTray</name>
    <message>
        <source>Show HomeAgent</source>
        <translation>Afficher HomeAgent</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>Décrocher</translation>
    </message>
    <message>
        <source>Break</source>
        <translation>En pause</translation>
    </message>
    <message>
        <source>Start minimised in the tray</source>
        <translation>Démarrer réduit dans la zone de notification</translation>
    </message>
    <message>
        <source>Start at login</source>
        <translation>Démarrer à l’ouverture de session</translation>
    </message>
    <message>
        <source>Quit HomeAgent</source>
        <translation>Quitter HomeAgent</translation>
    </message>
    <message>
        <source>Available</source>
        <translation>Disponible</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Hors ligne</translation>
    </message>
    <message>
        <source>{line}: calls cannot reach you</source>
        <translation>{line} : les appels ne peuvent pas vous joindre</translation>
    </message>
    <message>
        <source>Missed calls: {count}</source>
        <translation>Appels manqués : {count}</translation>
    </message>
</context>
<context>
    <name>DesktopShell</name>
    <message>
        <source>HomeAgent goes on in the tray. Quit from its menu.</source>
        <translation>HomeAgent continue dans la zone de notification. Quittez-le depuis son menu.</translation>
    </message>
</context>
<context>
    <name>Diagnose</name>
    <message>
        <source>{server} reachable ({addresses})</source>
        <translation>{server} joignable ({addresses})</translation>
    </message>
    <message>
        <source>No network: check the cable or the Wi-Fi, then the box.</source>
        <translation>Pas de réseau : vérifiez le câble ou le Wi-Fi, puis la box.</translation>
    </message>
    <message>
        <source>Connected to a network (this PC&apos;s address: {address}).</source>
        <translation>Connecté à un réseau (adresse de ce PC : {address}).</translation>
    </message>
    <message>
        <source>{url} answers and is healthy</source>
        <translation>{url} répond et fonctionne</translation>
    </message>
    <message>
        <source>{url} answered HTTP {code}</source>
        <translation>{url} a répondu HTTP {code}</translation>
    </message>
    <message>
        <source>No answer from {registrar} in {s} s</source>
        <translation>Pas de réponse de {registrar} en {s} s</translation>
    </message>
    <message>
        <source>{aor} registered at {registrar}</source>
        <translation>{aor} enregistré auprès de {registrar}</translation>
    </message>
    <message>
        <source>Registration refused: {code} {reason}</source>
        <translation>Enregistrement refusé : {code} {reason}</translation>
    </message>
    <message>
        <source>none</source>
        <translation>aucun</translation>
    </message>
    <message>
        <source>Microphones: {inputs}; headsets and speakers: {outputs}</source>
        <translation>Microphones : {inputs} ; casques et haut-parleurs : {outputs}</translation>
    </message>
    <message>
        <source>No connection profile yet: import the file your IT sent you with &apos;homeagent --profile FILE.json&apos; (or start HomeAgent and choose it).</source>
        <translation>Aucun profil de connexion : importez le fichier envoyé par votre service informatique avec « homeagent --profile FICHIER.json » (ou démarrez HomeAgent et choisissez-le).</translation>
    </message>
    <message>
        <source>This computer is not signed in yet: start HomeAgent once.</source>
        <translation>Cet ordinateur n&apos;est pas encore connecté : démarrez HomeAgent une fois.</translation>
    </message>
    <message>
        <source>{n} refused by the server, not sent: {reasons}</source>
        <translation>{n} refusé(s) par le serveur, non envoyé(s) : {reasons}</translation>
    </message>
    <message>
        <source>{n} waiting, {retrying} retrying: {error}</source>
        <translation>{n} en attente, {retrying} en nouvel essai : {error}</translation>
    </message>
    <message>
        <source>{n} waiting to be sent, none refused</source>
        <translation>{n} en attente d&apos;envoi, aucun refusé</translation>
    </message>
</context>
<context>
    <name>Diagnostics</name>
    <message>
        <source>the server cannot be reached</source>
        <translation>le serveur est injoignable</translation>
    </message>
    <message>
        <source>the report is larger than the server accepts</source>
        <translation>le rapport dépasse la taille acceptée par le serveur</translation>
    </message>
    <message>
        <source>the server refused it ({code})</source>
        <translation>le serveur l’a refusé ({code})</translation>
    </message>
    <message>
        <source>the disk could not be written ({error})</source>
        <translation>impossible d’écrire sur le disque ({error})</translation>
    </message>
    <message>
        <source>{n} bytes</source>
        <translation>{n} octets</translation>
    </message>
    <message>
        <source>{n} KB</source>
        <translation>{n} Ko</translation>
    </message>
    <message>
        <source>{n} MB</source>
        <translation>{n} Mo</translation>
    </message>
    <message>
        <source>passwords and keys</source>
        <translation>mots de passe et clés</translation>
    </message>
    <message>
        <source>sign-in codes</source>
        <translation>codes de connexion</translation>
    </message>
    <message>
        <source>tokens</source>
        <translation>jetons</translation>
    </message>
    <message>
        <source>names</source>
        <translation>noms</translation>
    </message>
    <message>
        <source>phone numbers</source>
        <translation>numéros de téléphone</translation>
    </message>
    <message>
        <source>other values</source>
        <translation>autres valeurs</translation>
    </message>
</context>
<context>
    <name>DiagnosticsController</name>
    <message>
        <source>Diagnostic report</source>
        <translation>Rapport de diagnostic</translation>
    </message>
    <message>
        <source>The report could not be created: {why}</source>
        <translation>Le rapport n’a pas pu être créé : {why}</translation>
    </message>
</context>
<context>
    <name>DiagnosticsDialog</name>
    <message>
        <source>Diagnostic report for IT</source>
        <translation>Rapport de diagnostic pour le service informatique</translation>
    </message>
    <message>
        <source>This report helps IT understand a problem with your computer, your connection or your headset. Passwords, phone numbers and customers&apos; names are masked. Read it if you wish: nothing is sent without your consent.</source>
        <translation>Ce rapport aide le service informatique à comprendre un problème d’ordinateur, de connexion ou de casque. Les mots de passe, les numéros de téléphone et les noms des clients sont masqués. Vous pouvez le lire : rien n’est envoyé sans votre accord.</translation>
    </message>
    <message>
        <source>Not included (missing or unreadable): {parts}</source>
        <translation>Non inclus (absent ou illisible) : {parts}</translation>
    </message>
    <message>
        <source>Kept on this computer: {path} ({size})</source>
        <translation>Conservé sur cet ordinateur : {path} ({size})</translation>
    </message>
    <message>
        <source>Send to IT</source>
        <translation>Envoyer au service informatique</translation>
    </message>
    <message>
        <source>Do not send</source>
        <translation>Ne pas envoyer</translation>
    </message>
    <message>
        <source>Open the folder</source>
        <translation>Ouvrir le dossier</translation>
    </message>
    <message>
        <source>Masked as soon as it was written on this computer, checked again.</source>
        <translation>Masqué dès son enregistrement sur cet ordinateur, puis vérifié à nouveau.</translation>
    </message>
    <message>
        <source>Nothing needed masking in this file.</source>
        <translation>Rien à masquer dans ce fichier.</translation>
    </message>
    <message>
        <source>Masked: {parts}.</source>
        <translation>Masqués : {parts}.</translation>
    </message>
    <message>
        <source>Only the most recent part is included.</source>
        <translation>Seule la partie la plus récente est incluse.</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Envoi…</translation>
    </message>
    <message>
        <source>Sent to IT. Thank you.</source>
        <translation>Envoyé au service informatique. Merci.</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Fermer</translation>
    </message>
    <message>
        <source>Not sent: {why}. The report is kept on this computer ({path}); you can try again later.</source>
        <translation>Non envoyé : {why}. Le rapport est conservé sur cet ordinateur ({path}) ; vous pourrez réessayer plus tard.</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>Réessayer</translation>
    </message>
</context>
<context>
    <name>DiagnosticsNotice</name>
    <message>
        <source>Preparing the diagnostic report…</source>
        <translation>Préparation du rapport de diagnostic…</translation>
    </message>
    <message>
        <source>{name}, your team lead, asks for a diagnostic report.</source>
        <translation>{name}, votre responsable, demande un rapport de diagnostic.</translation>
    </message>
    <message>
        <source>Your team lead asks for a diagnostic report.</source>
        <translation>Votre responsable demande un rapport de diagnostic.</translation>
    </message>
    <message>
        <source>See the report</source>
        <translation>Voir le rapport</translation>
    </message>
    <message>
        <source>Decline</source>
        <translation>Refuser</translation>
    </message>
</context>
<context>
    <name>EnrolDialog</name>
    <message>
        <source>Sign in to {org}</source>
        <translation>Connexion à {org}</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Se connecter</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>Nom d&apos;utilisateur</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Mot de passe</translation>
    </message>
    <message>
        <source>Your password is not stored; this computer keeps a device key.</source>
        <translation>Votre mot de passe n&apos;est pas conservé ; cet ordinateur garde une clé d&apos;appareil.</translation>
    </message>
    <message>
        <source>Enter your user name and password.</source>
        <translation>Saisissez votre nom d&apos;utilisateur et votre mot de passe.</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>Connexion…</translation>
    </message>
    <message>
        <source>Sign-in failed: {why}</source>
        <translation>Échec de la connexion : {why}</translation>
    </message>
    <message>
        <source>Your organisation disconnected this computer and erased its local data. Sign in again to continue.</source>
        <translation>Votre organisation a déconnecté cet ordinateur et effacé ses données locales. Reconnectez-vous pour continuer.</translation>
    </message>
</context>
<context>
    <name>HandleTrendChart</name>
    <message>
        <source>Average handle time (min)</source>
        <translation>Durée moyenne de traitement (min)</translation>
    </message>
    <message>
        <source>Average handle time: no call yet</source>
        <translation>Durée moyenne de traitement : aucun appel pour l&apos;instant</translation>
    </message>
</context>
<context>
    <name>HelpQueuePanel</name>
    <message>
        <source>Agent</source>
        <translation>Agent</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>Attente</translation>
    </message>
    <message>
        <source>Call</source>
        <translation>Appel</translation>
    </message>
    <message>
        <source>Request</source>
        <translation>Demande</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Statut</translation>
    </message>
    <message>
        <source>Help requests, oldest first</source>
        <translation>Demandes d&apos;aide, la plus ancienne d&apos;abord</translation>
    </message>
    <message>
        <source>I&apos;m coming</source>
        <translation>J&apos;arrive</translation>
    </message>
    <message>
        <source>Tell the agent you are on your way (Enter)</source>
        <translation>Prévenir l&apos;agent que vous arrivez (Entrée)</translation>
    </message>
    <message>
        <source>Reply by message</source>
        <translation>Répondre par message</translation>
    </message>
    <message>
        <source>Call supervision is not available in this console</source>
        <translation>La double écoute n&apos;est pas disponible dans cette console</translation>
    </message>
    <message>
        <source>Listen</source>
        <translation>Écouter</translation>
    </message>
    <message>
        <source>Whisper</source>
        <translation>Chuchoter</translation>
    </message>
    <message>
        <source>Barge in</source>
        <translation>Intervenir</translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation>Résolu</translation>
    </message>
    <message>
        <source>No help request waiting.</source>
        <translation>Aucune demande d&apos;aide en attente.</translation>
    </message>
    <message>
        <source>Select a help request</source>
        <translation>Sélectionnez une demande d&apos;aide</translation>
    </message>
    <message>
        <source>Help requests unavailable: {why}</source>
        <translation>Demandes d&apos;aide indisponibles : {why}</translation>
    </message>
    <message>
        <source>Acknowledging…</source>
        <translation>Envoi de « J&apos;arrive »…</translation>
    </message>
    <message>
        <source>Resolving…</source>
        <translation>Clôture…</translation>
    </message>
    <message>
        <source>{name} knows you are coming.</source>
        <translation>{name} sait que vous arrivez.</translation>
    </message>
    <message>
        <source>Request of {name} resolved.</source>
        <translation>Demande de {name} résolue.</translation>
    </message>
    <message>
        <source>Not done: {why}</source>
        <translation>Non effectué : {why}</translation>
    </message>
    <message>
        <source>queue {queue}</source>
        <translation>file {queue}</translation>
    </message>
    <message>
        <source>in call {time}</source>
        <translation>en appel depuis {time}</translation>
    </message>
    <message>
        <source>No call</source>
        <translation>Pas d&apos;appel</translation>
    </message>
    <message>
        <source>On the way: {name}</source>
        <translation>En route : {name}</translation>
    </message>
    <message>
        <source>Waiting for more than {time}</source>
        <translation>En attente depuis plus de {time}</translation>
    </message>
</context>
<context>
    <name>HistoryTab</name>
    <message>
        <source>Today&apos;s calls</source>
        <translation>Appels du jour</translation>
    </message>
    <message>
        <source>Call back</source>
        <translation>Rappeler</translation>
    </message>
</context>
<context>
    <name>Hotkeys</name>
    <message>
        <source>Not available on this desktop (Wayland): Wayland lets no program read keys meant for another window. Use the shortcuts in the HomeAgent window.</source>
        <translation>Non disponible sur ce bureau (Wayland) : Wayland ne laisse aucun programme lire les touches destinées à une autre fenêtre. Utilisez les raccourcis dans la fenêtre HomeAgent.</translation>
    </message>
    <message>
        <source>Not available on this desktop: use the shortcuts in the HomeAgent window.</source>
        <translation>Non disponible sur ce bureau : utilisez les raccourcis dans la fenêtre HomeAgent.</translation>
    </message>
    <message>
        <source>Not available: the X11 library (libX11) is not installed.</source>
        <translation>Non disponible : la bibliothèque X11 (libX11) n&apos;est pas installée.</translation>
    </message>
</context>
<context>
    <name>HotkeysPage</name>
    <message>
        <source>Global hotkeys</source>
        <translation>Raccourcis globaux</translation>
    </message>
    <message>
        <source>&amp;Use global hotkeys (they work from any window)</source>
        <translation>&amp;Utiliser les raccourcis globaux (ils marchent depuis n&apos;importe quelle fenêtre)</translation>
    </message>
    <message>
        <source>&amp;Answer</source>
        <translation>&amp;Décrocher</translation>
    </message>
    <message>
        <source>&amp;Hang up</source>
        <translation>&amp;Raccrocher</translation>
    </message>
    <message>
        <source>&amp;Mute / unmute</source>
        <translation>&amp;Couper / rétablir le micro</translation>
    </message>
    <message>
        <source>&amp;Toggle Available</source>
        <translation>&amp;Basculer Disponible</translation>
    </message>
    <message>
        <source>{keys} is already used by another program: choose another.</source>
        <translation>{keys} est déjà utilisé par un autre programme : choisissez-en un autre.</translation>
    </message>
</context>
<context>
    <name>IdleView</name>
    <message>
        <source>My day</source>
        <translation>Ma journée</translation>
    </message>
    <message>
        <source>Today&apos;s callbacks</source>
        <translation>Rappels du jour</translation>
    </message>
    <message>
        <source>No callback due today.</source>
        <translation>Aucun rappel prévu aujourd&apos;hui.</translation>
    </message>
    <message>
        <source>Call back</source>
        <translation>Rappeler</translation>
    </message>
    <message>
        <source>Contacts</source>
        <translation>Contacts</translation>
    </message>
    <message>
        <source>Last wrap-up: {state}</source>
        <translation>Dernier post-appel : {state}</translation>
    </message>
    <message>
        <source>Missed call from {caller}: nobody answered in time, so you are Not ready.</source>
        <translation>Appel manqué de {caller} : sans réponse à temps, vous êtes en Non prêt.</translation>
    </message>
    <message>
        <source>Missed call from {caller}: the caller hung up.</source>
        <translation>Appel manqué de {caller} : l&apos;appelant a raccroché.</translation>
    </message>
    <message>
        <source>Call back {caller}</source>
        <translation>Rappeler {caller}</translation>
    </message>
</context>
<context>
    <name>InboxTab</name>
    <message>
        <source>Conversation with the team lead</source>
        <translation>Conversation avec le chef d&apos;équipe</translation>
    </message>
    <message>
        <source>Got it</source>
        <translation>Bien reçu</translation>
    </message>
    <message>
        <source>Acknowledge the urgent message</source>
        <translation>Confirmer la réception du message urgent</translation>
    </message>
    <message>
        <source>Write to your team lead…</source>
        <translation>Écrire à votre chef d&apos;équipe…</translation>
    </message>
    <message>
        <source>Message to the team lead</source>
        <translation>Message au chef d&apos;équipe</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Envoyer</translation>
    </message>
</context>
<context>
    <name>Keypad</name>
    <message>
        <source>Key {key}</source>
        <translation>Touche {key}</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <source>Offline</source>
        <translation>Hors ligne</translation>
    </message>
    <message>
        <source>Available</source>
        <translation>Disponible</translation>
    </message>
    <message>
        <source>Break</source>
        <translation>En pause</translation>
    </message>
    <message>
        <source>Not ready</source>
        <translation>Non prêt</translation>
    </message>
    <message>
        <source>Ringing</source>
        <translation>Sonnerie</translation>
    </message>
    <message>
        <source>On call</source>
        <translation>En appel</translation>
    </message>
    <message>
        <source>Wrap-up</source>
        <translation>Post-appel</translation>
    </message>
    <message>
        <source>missed call</source>
        <translation>appel manqué</translation>
    </message>
    <message>
        <source>Break — {reason}</source>
        <translation>Pause — {reason}</translation>
    </message>
    <message>
        <source>{state} — {reason}</source>
        <translation>{state} — {reason}</translation>
    </message>
    <message>
        <source>Line off</source>
        <translation>Ligne coupée</translation>
    </message>
    <message>
        <source>Line connecting…</source>
        <translation>Connexion de la ligne…</translation>
    </message>
    <message>
        <source>Line ready</source>
        <translation>Ligne prête</translation>
    </message>
    <message>
        <source>Line down</source>
        <translation>Ligne hors service</translation>
    </message>
    <message>
        <source>Server online</source>
        <translation>Serveur en ligne</translation>
    </message>
    <message>
        <source>Reconnecting…</source>
        <translation>Reconnexion…</translation>
    </message>
    <message>
        <source>Offline mode</source>
        <translation>Mode hors ligne</translation>
    </message>
    <message>
        <source>Quality: measuring…</source>
        <translation>Qualité : mesure…</translation>
    </message>
    <message>
        <source>Quality: good</source>
        <translation>Qualité : bonne</translation>
    </message>
    <message>
        <source>Quality: fair</source>
        <translation>Qualité : moyenne</translation>
    </message>
    <message>
        <source>Quality: poor</source>
        <translation>Qualité : mauvaise</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Enregistrement…</translation>
    </message>
    <message>
        <source>Saved</source>
        <translation>Enregistré</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Envoyé</translation>
    </message>
    <message>
        <source>Not saved — try again</source>
        <translation>Non enregistré — réessayez</translation>
    </message>
    <message>
        <source>Transfer failed: the call is still yours.</source>
        <translation>Transfert échoué : l&apos;appel reste avec vous.</translation>
    </message>
    <message>
        <source>Call transferred.</source>
        <translation>Appel transféré.</translation>
    </message>
    <message>
        <source>Help request sent to your team lead.</source>
        <translation>Demande d&apos;aide envoyée à votre chef d&apos;équipe.</translation>
    </message>
    <message>
        <source>Choose a disposition to save.</source>
        <translation>Choisissez une qualification pour enregistrer.</translation>
    </message>
    <message>
        <source>The callback time is already past.</source>
        <translation>L&apos;heure de rappel est déjà passée.</translation>
    </message>
    <message>
        <source>Save the wrap-up first.</source>
        <translation>Enregistrez d&apos;abord le post-appel.</translation>
    </message>
    <message>
        <source>The phone line stopped; restart the app.</source>
        <translation>La ligne téléphonique s&apos;est arrêtée ; redémarrez l&apos;application.</translation>
    </message>
    <message>
        <source>Missed call.</source>
        <translation>Appel manqué.</translation>
    </message>
    <message>
        <source>The customer hung up.</source>
        <translation>Le client a raccroché.</translation>
    </message>
    <message>
        <source>The other side refused the hold: the call is still live.</source>
        <translation>Le correspondant a refusé la mise en attente : l&apos;appel continue.</translation>
    </message>
    <message>
        <source>The other side refused to resume: the customer is still on hold. Try again.</source>
        <translation>Le correspondant a refusé la reprise : le client est toujours en attente. Réessayez.</translation>
    </message>
    <message>
        <source>Call record</source>
        <translation>Fiche d&apos;appel</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>New contact</source>
        <translation>Nouveau contact</translation>
    </message>
    <message>
        <source>Callback</source>
        <translation>Rappel</translation>
    </message>
    <message>
        <source>Read receipt</source>
        <translation>Accusé de lecture</translation>
    </message>
    <message>
        <source>Presence change</source>
        <translation>Changement de statut</translation>
    </message>
    <message>
        <source>Help request</source>
        <translation>Demande d&apos;aide</translation>
    </message>
    <message>
        <source>Message to the team lead</source>
        <translation>Message au chef d&apos;équipe</translation>
    </message>
    <message>
        <source>Other item</source>
        <translation>Autre élément</translation>
    </message>
    <message>
        <source>your team lead</source>
        <translation>votre chef d&apos;équipe</translation>
    </message>
    <message>
        <source>{what} — {why}</source>
        <translation>{what} — {why}</translation>
    </message>
    <message>
        <source>Put on break by {name}</source>
        <translation>Mis en pause par {name}</translation>
    </message>
    <message>
        <source>Set to Not ready by {name}</source>
        <translation>Passé en « Non prêt » par {name}</translation>
    </message>
    <message>
        <source>Signed out by {name}: you no longer receive calls</source>
        <translation>Mis hors ligne par {name} : vous ne recevez plus d&apos;appels</translation>
    </message>
    <message>
        <source>Set to Available by {name}</source>
        <translation>Mis en « Disponible » par {name}</translation>
    </message>
    <message>
        <source>State changed by {name}</source>
        <translation>État changé par {name}</translation>
    </message>
    <message>
        <source>Break planned at the end of the call ({name})</source>
        <translation>Pause prévue à la fin de l&apos;appel ({name})</translation>
    </message>
    <message>
        <source>Not ready planned at the end of the call ({name})</source>
        <translation>« Non prêt » prévu à la fin de l&apos;appel ({name})</translation>
    </message>
    <message>
        <source>Sign-out planned at the end of the call ({name})</source>
        <translation>Mise hors ligne prévue à la fin de l&apos;appel ({name})</translation>
    </message>
    <message>
        <source>State change planned at the end of the call ({name})</source>
        <translation>Changement d&apos;état prévu à la fin de l&apos;appel ({name})</translation>
    </message>
    <message>
        <source>Your team lead</source>
        <translation>Votre chef d&apos;équipe</translation>
    </message>
    <message>
        <source>{name} is coming</source>
        <translation>{name} arrive</translation>
    </message>
    <message>
        <source>Help request saved, sending…</source>
        <translation>Demande d&apos;aide enregistrée, envoi…</translation>
    </message>
    <message>
        <source>Help request sent</source>
        <translation>Demande d&apos;aide envoyée</translation>
    </message>
    <message>
        <source>Help request resolved</source>
        <translation>Demande d&apos;aide résolue</translation>
    </message>
    <message>
        <source>Enter</source>
        <translation>Entrée</translation>
    </message>
    <message>
        <source>Listening: {name}</source>
        <translation>Écoute : {name}</translation>
    </message>
    <message>
        <source>Whispering: {name}</source>
        <translation>Chuchotement : {name}</translation>
    </message>
    <message>
        <source>Barged in: {name}</source>
        <translation>Intervention : {name}</translation>
    </message>
    <message>
        <source>Your team lead hears the call; nobody hears them.</source>
        <translation>Votre chef d&apos;équipe entend l&apos;appel ; personne ne l&apos;entend.</translation>
    </message>
    <message>
        <source>Your team lead hears the call; only you hear them.</source>
        <translation>Votre chef d&apos;équipe entend l&apos;appel et vous parle ; le client ne l&apos;entend pas.</translation>
    </message>
    <message>
        <source>Your team lead has joined the call: the customer hears them too.</source>
        <translation>Votre chef d&apos;équipe a rejoint l&apos;appel : le client l&apos;entend aussi.</translation>
    </message>
    <message>
        <source>Listening</source>
        <translation>Écoute</translation>
    </message>
    <message>
        <source>Whispering</source>
        <translation>Chuchotement</translation>
    </message>
    <message>
        <source>Barge-in</source>
        <translation>Intervention</translation>
    </message>
</context>
<context>
    <name>LeadBoard</name>
    <message>
        <source>All states</source>
        <translation>Tous les états</translation>
    </message>
    <message>
        <source>In a call (ringing, on call, wrap-up)</source>
        <translation>En appel (sonnerie, en appel, post-appel)</translation>
    </message>
    <message>
        <source>Signed in (not offline)</source>
        <translation>Connectés (pas hors ligne)</translation>
    </message>
    <message>
        <source>Agent</source>
        <translation>Agent</translation>
    </message>
    <message>
        <source>State</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Time in state</source>
        <translation>Depuis</translation>
    </message>
    <message>
        <source>Current call</source>
        <translation>Appel en cours</translation>
    </message>
    <message>
        <source>Handled</source>
        <translation>Traités</translation>
    </message>
    <message>
        <source>Avg handle</source>
        <translation>DMT</translation>
    </message>
    <message>
        <source>Breaks</source>
        <translation>Pauses</translation>
    </message>
    <message>
        <source>Missed</source>
        <translation>Manqués</translation>
    </message>
    <message>
        <source>Quality</source>
        <translation>Qualité</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>Réseau</translation>
    </message>
    <message>
        <source>{state} at the end of the call — by {who}</source>
        <translation>{state} à la fin de l&apos;appel — par {who}</translation>
    </message>
    <message>
        <source>Good</source>
        <translation>Bon</translation>
    </message>
    <message>
        <source>Fair</source>
        <translation>Moyen</translation>
    </message>
    <message>
        <source>Poor</source>
        <translation>Mauvais</translation>
    </message>
    <message>
        <source>No pre-shift check today</source>
        <translation>Pas de vérification du poste aujourd&apos;hui</translation>
    </message>
    <message>
        <source>Pre-shift check at {time}</source>
        <translation>Poste vérifié à {time}</translation>
    </message>
    <message>
        <source>MOS {mos} (G.722)</source>
        <translation>MOS {mos} (G.722)</translation>
    </message>
    <message>
        <source>loss {loss} %</source>
        <translation>perte {loss} %</translation>
    </message>
    <message>
        <source>jitter {jitter} ms</source>
        <translation>gigue {jitter} ms</translation>
    </message>
    <message>
        <source>round trip {rtt} ms</source>
        <translation>aller-retour {rtt} ms</translation>
    </message>
    <message>
        <source>outbound</source>
        <translation>sortant</translation>
    </message>
    <message>
        <source>direct</source>
        <translation>direct</translation>
    </message>
    <message>
        <source>after {queue}</source>
        <translation>après {queue}</translation>
    </message>
    <message>
        <source>MOS {mos} · {loss} % · {jitter} ms</source>
        <translation>MOS {mos} · {loss} % · {jitter} ms</translation>
    </message>
    <message>
        <source>MOS at or under the alarm threshold ({alarm})</source>
        <translation>MOS au seuil d&apos;alarme ou en dessous ({alarm})</translation>
    </message>
    <message>
        <source>MOS at or under the warning threshold ({warn}); alarm at {alarm}</source>
        <translation>MOS au seuil d&apos;alerte ou en dessous ({warn}) ; alarme à {alarm}</translation>
    </message>
    <message>
        <source>Breaks over the day&apos;s allowance ({allowance})</source>
        <translation>Pauses au-delà du temps prévu pour la journée ({allowance})</translation>
    </message>
    <message>
        <source>Breaks near the day&apos;s allowance ({allowance})</source>
        <translation>Pauses proches du temps prévu pour la journée ({allowance})</translation>
    </message>
    <message>
        <source>At or over the alarm threshold ({alarm})</source>
        <translation>Au seuil d&apos;alarme ou au-delà ({alarm})</translation>
    </message>
    <message>
        <source>At or over the warning threshold ({warn}); alarm at {alarm}</source>
        <translation>Au seuil d&apos;alerte ou au-delà ({warn}) ; alarme à {alarm}</translation>
    </message>
    <message>
        <source>Set by {who}</source>
        <translation>Changé par {who}</translation>
    </message>
    <message>
        <source>Note: {note}</source>
        <translation>Note : {note}</translation>
    </message>
    <message>
        <source>{n} in a row</source>
        <translation>{n} d&apos;affilée</translation>
    </message>
    <message>
        <source>MOS {mos}, loss {loss} %, jitter {jitter} ms, round trip {rtt} ms</source>
        <translation>MOS {mos}, pertes {loss} %, gigue {jitter} ms, aller-retour {rtt} ms</translation>
    </message>
    <message>
        <source>Last call&apos;s final figures</source>
        <translation>Chiffres finaux du dernier appel</translation>
    </message>
</context>
<context>
    <name>LeadComms</name>
    <message>
        <source>The server&apos;s answer was not understood.</source>
        <translation>La réponse du serveur n&apos;a pas été comprise.</translation>
    </message>
    <message>
        <source>It no longer exists on the server.</source>
        <translation>Cet élément n&apos;existe plus sur le serveur.</translation>
    </message>
    <message>
        <source>The server refused it in this state.</source>
        <translation>Le serveur l&apos;a refusé dans cet état.</translation>
    </message>
    <message>
        <source>The server refused it: {reason}</source>
        <translation>Le serveur l&apos;a refusé : {reason}</translation>
    </message>
    <message>
        <source>The server cannot be reached; try again in a moment.</source>
        <translation>Le serveur est injoignable ; réessayez dans un instant.</translation>
    </message>
</context>
<context>
    <name>LeadConsole</name>
    <message>
        <source>Team</source>
        <translation>Équipe</translation>
    </message>
    <message>
        <source>Search an agent (Ctrl+F)</source>
        <translation>Rechercher un agent (Ctrl+F)</translation>
    </message>
    <message>
        <source>Search an agent</source>
        <translation>Rechercher un agent</translation>
    </message>
    <message>
        <source>Show the agents in</source>
        <translation>Afficher les agents</translation>
    </message>
    <message>
        <source>{shown} of {total} agents</source>
        <translation>{shown} agents sur {total}</translation>
    </message>
</context>
<context>
    <name>LeadController</name>
    <message>
        <source>You are not in a team: there is no board to show.</source>
        <translation>Vous n&apos;êtes dans aucune équipe : il n&apos;y a pas de tableau à afficher.</translation>
    </message>
    <message>
        <source>There is no team yet.</source>
        <translation>Il n&apos;y a encore aucune équipe.</translation>
    </message>
    <message>
        <source>The board could not be read ({why}); trying again in {s} s.</source>
        <translation>Le tableau n&apos;a pas pu être lu ({why}) ; nouvel essai dans {s} s.</translation>
    </message>
    <message>
        <source>{name}: the state was not changed ({why})</source>
        <translation>{name} : l&apos;état n&apos;a pas été changé ({why})</translation>
    </message>
    <message>
        <source>{name}: {state} now</source>
        <translation>{name} : {state} dès maintenant</translation>
    </message>
    <message>
        <source>{name}: {state} after the current call</source>
        <translation>{name} : {state} après l&apos;appel en cours</translation>
    </message>
    <message>
        <source>{name}: the pending change was not cancelled ({why})</source>
        <translation>{name} : le changement prévu n&apos;a pas été annulé ({why})</translation>
    </message>
    <message>
        <source>{name}: the pending change is cancelled</source>
        <translation>{name} : le changement prévu est annulé</translation>
    </message>
    <message>
        <source>{name}: the report was not asked for ({why})</source>
        <translation>{name} : le rapport n’a pas été demandé ({why})</translation>
    </message>
    <message>
        <source>{name} is asked for a diagnostic report: they approve it first</source>
        <translation>Rapport de diagnostic demandé à {name} : il ou elle doit d’abord l’accepter</translation>
    </message>
    <message>
        <source>{name} sent the diagnostic report (IT can read it)</source>
        <translation>{name} a envoyé son rapport de diagnostic (le service informatique peut le lire)</translation>
    </message>
    <message>
        <source>{name} declined the diagnostic report</source>
        <translation>{name} a refusé le rapport de diagnostic</translation>
    </message>
    <message>
        <source>Thresholds and alerts saved</source>
        <translation>Seuils et alertes enregistrés</translation>
    </message>
</context>
<context>
    <name>LeadPages</name>
    <message>
        <source>Messages</source>
        <translation>Messages</translation>
    </message>
    <message>
        <source>Help requests</source>
        <translation>Demandes d&apos;aide</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>Alertes</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>Journée</translation>
    </message>
    <message>
        <source>Slots</source>
        <translation>Créneaux</translation>
    </message>
</context>
<context>
    <name>LeadQueues</name>
    <message>
        <source>Queue</source>
        <translation>File</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>En attente</translation>
    </message>
    <message>
        <source>Longest wait</source>
        <translation>Attente max.</translation>
    </message>
    <message>
        <source>Answered</source>
        <translation>Répondus</translation>
    </message>
    <message>
        <source>Abandoned</source>
        <translation>Abandonnés</translation>
    </message>
    <message>
        <source>Service level</source>
        <translation>Niveau de service</translation>
    </message>
    <message>
        <source>ASA</source>
        <translation>Délai moyen</translation>
    </message>
    <message>
        <source>Calls answered within the queue&apos;s target time, out of those answered plus those abandoned after it (green from 80 %, amber from 60 %)</source>
        <translation>Appels répondus dans le délai cible de la file, sur les répondus plus les abandonnés après ce délai (vert dès 80 %, orange dès 60 %)</translation>
    </message>
    <message>
        <source>Average speed of answer of today&apos;s answered calls</source>
        <translation>Délai moyen de réponse des appels répondus aujourd&apos;hui</translation>
    </message>
    <message>
        <source>{pct} answered within {s} s</source>
        <translation>{pct} répondus en moins de {s} s</translation>
    </message>
    <message>
        <source>{n} offered today, {t} timed out</source>
        <translation>{n} reçus aujourd&apos;hui, {t} expirés</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Answer</source>
        <translation>Décrocher</translation>
    </message>
    <message>
        <source>Hang up</source>
        <translation>Raccrocher</translation>
    </message>
    <message>
        <source>Hold / resume</source>
        <translation>Mettre en attente / reprendre</translation>
    </message>
    <message>
        <source>Mute / unmute</source>
        <translation>Couper / rétablir le micro</translation>
    </message>
    <message>
        <source>Toggle Available</source>
        <translation>Basculer Disponible</translation>
    </message>
    <message>
        <source>Choose a presence (break reason)</source>
        <translation>Choisir une présence (motif de pause)</translation>
    </message>
    <message>
        <source>Search contacts</source>
        <translation>Rechercher un contact</translation>
    </message>
    <message>
        <source>Save the wrap-up</source>
        <translation>Enregistrer le post-appel</translation>
    </message>
    <message>
        <source>Open the inbox</source>
        <translation>Ouvrir les messages</translation>
    </message>
    <message>
        <source>Acknowledge the urgent message</source>
        <translation>Confirmer la réception du message urgent</translation>
    </message>
    <message>
        <source>Ask your team lead for help (in a call)</source>
        <translation>Demander de l&apos;aide au chef d&apos;équipe (en appel)</translation>
    </message>
    <message>
        <source>Switch between the desk and the console</source>
        <translation>Passer du poste à la console</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Raccourcis clavier</translation>
    </message>
    <message>
        <source>Create a diagnostic report…</source>
        <translation>Créer un rapport de diagnostic…</translation>
    </message>
    <message>
        <source>Acknowledge the urgent message ({keys})</source>
        <translation>Confirmer la réception du message urgent ({keys})</translation>
    </message>
    <message>
        <source>New message from {sender}: {body}</source>
        <translation>Nouveau message de {sender} : {body}</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Ouvrir</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>Decline</source>
        <translation>Refuser</translation>
    </message>
    <message>
        <source>HomeAgent — {state}</source>
        <translation>HomeAgent — {state}</translation>
    </message>
    <message>
        <source>Unknown caller</source>
        <translation>Appelant inconnu</translation>
    </message>
    <message>
        <source>Incoming call: {who}</source>
        <translation>Appel entrant : {who}</translation>
    </message>
    <message>
        <source>Urgent from {sender}: {body}</source>
        <translation>Urgent de {sender} : {body}</translation>
    </message>
    <message>
        <source>Acknowledge</source>
        <translation>Bien reçu</translation>
    </message>
    <message>
        <source>Audio settings (microphone, headset, ringer)</source>
        <translation>Réglages audio (microphone, casque, sonnerie)</translation>
    </message>
</context>
<context>
    <name>MessagesPanel</name>
    <message>
        <source>Conversations</source>
        <translation>Conversations</translation>
    </message>
    <message>
        <source>Messages of the conversation</source>
        <translation>Messages de la conversation</translation>
    </message>
    <message>
        <source>Agent</source>
        <translation>Agent</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Distribué</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>Lu</translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation>Bien reçu</translation>
    </message>
    <message>
        <source>Receipts of the selected message</source>
        <translation>Accusés de réception du message sélectionné</translation>
    </message>
    <message>
        <source>One agent</source>
        <translation>Un agent</translation>
    </message>
    <message>
        <source>Several agents</source>
        <translation>Plusieurs agents</translation>
    </message>
    <message>
        <source>The whole team</source>
        <translation>Toute l&apos;équipe</translation>
    </message>
    <message>
        <source>Send to</source>
        <translation>Destinataires</translation>
    </message>
    <message>
        <source>Agents to write to</source>
        <translation>Agents destinataires</translation>
    </message>
    <message>
        <source>Urgent: must be acknowledged</source>
        <translation>Urgent : accusé de réception obligatoire</translation>
    </message>
    <message>
        <source>Write a message…</source>
        <translation>Écrire un message…</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Message</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Envoyer</translation>
    </message>
    <message>
        <source>Send (Ctrl+Enter)</source>
        <translation>Envoyer (Ctrl+Entrée)</translation>
    </message>
    <message>
        <source>To:</source>
        <translation>À :</translation>
    </message>
    <message>
        <source>Loading messages…</source>
        <translation>Chargement des messages…</translation>
    </message>
    <message>
        <source>Message history unavailable: {why}</source>
        <translation>Historique des messages indisponible : {why}</translation>
    </message>
    <message>
        <source>Write the message first.</source>
        <translation>Écrivez d&apos;abord le message.</translation>
    </message>
    <message>
        <source>Choose who the message is for.</source>
        <translation>Choisissez les destinataires du message.</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Envoi…</translation>
    </message>
    <message>
        <source>Sent to the whole team.</source>
        <translation>Envoyé à toute l&apos;équipe.</translation>
    </message>
    <message>
        <source>Sent to {name}.</source>
        <translation>Envoyé à {name}.</translation>
    </message>
    <message>
        <source>Sent to {count} agents.</source>
        <translation>Envoyé à {count} agents.</translation>
    </message>
    <message>
        <source>Not sent (the draft is kept): {why}</source>
        <translation>Non envoyé (le brouillon est conservé) : {why}</translation>
    </message>
    <message>
        <source>Team messages</source>
        <translation>Messages d&apos;équipe</translation>
    </message>
    <message>
        <source>{name} ({count} unread)</source>
        <translation>{name} ({count} à lire)</translation>
    </message>
    <message>
        <source>Delivered {n}/{total}</source>
        <translation>Distribué {n}/{total}</translation>
    </message>
    <message>
        <source>Read {n}/{total}</source>
        <translation>lu {n}/{total}</translation>
    </message>
    <message>
        <source>Acknowledged {n}/{total}</source>
        <translation>bien reçu {n}/{total}</translation>
    </message>
    <message>
        <source>Not yet read by: {names}</source>
        <translation>Pas encore lu par : {names}</translation>
    </message>
    <message>
        <source>Not yet acknowledged by: {names}</source>
        <translation>Pas encore confirmé par : {names}</translation>
    </message>
    <message>
        <source>Urgent</source>
        <translation>Urgent</translation>
    </message>
    <message>
        <source>New</source>
        <translation>Nouveau</translation>
    </message>
</context>
<context>
    <name>ModeSwitch</name>
    <message>
        <source>Your calls (Ctrl+L switches)</source>
        <translation>Vos appels (Ctrl+L pour basculer)</translation>
    </message>
    <message>
        <source>The team board (Ctrl+L switches)</source>
        <translation>Le tableau de l&apos;équipe (Ctrl+L pour basculer)</translation>
    </message>
    <message>
        <source>☎ Desk — ringing</source>
        <translation>☎ Poste — sonnerie</translation>
    </message>
    <message>
        <source>☎ Desk</source>
        <translation>☎ Poste</translation>
    </message>
    <message>
        <source>▦ Console</source>
        <translation>▦ Console</translation>
    </message>
</context>
<context>
    <name>Models</name>
    <message>
        <source>(no name)</source>
        <translation>(sans nom)</translation>
    </message>
    <message>
        <source>You</source>
        <translation>Vous</translation>
    </message>
    <message>
        <source>! Urgent — </source>
        <translation>! Urgent — </translation>
    </message>
    <message>
        <source>Urgent (acknowledged) — </source>
        <translation>Urgent (reçu) — </translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Heure</translation>
    </message>
    <message>
        <source>Caller</source>
        <translation>Appelant</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Résultat</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Durée</translation>
    </message>
    <message>
        <source>Disposition</source>
        <translation>Qualification</translation>
    </message>
    <message>
        <source>Answered</source>
        <translation>Répondu</translation>
    </message>
    <message>
        <source>Missed</source>
        <translation>Manqué</translation>
    </message>
    <message>
        <source>Declined</source>
        <translation>Refusé</translation>
    </message>
    <message>
        <source>Outgoing</source>
        <translation>Sortant</translation>
    </message>
</context>
<context>
    <name>MyDayTab</name>
    <message>
        <source>Calls handled</source>
        <translation>Appels traités</translation>
    </message>
    <message>
        <source>Average handle time</source>
        <translation>Durée moyenne de traitement</translation>
    </message>
    <message>
        <source>Average wrap-up</source>
        <translation>Post-appel moyen</translation>
    </message>
    <message>
        <source>Breaks</source>
        <translation>Pauses</translation>
    </message>
    <message>
        <source>Missed calls</source>
        <translation>Appels manqués</translation>
    </message>
    <message>
        <source>Figures unavailable: the server cannot be reached.</source>
        <translation>Chiffres indisponibles : le serveur est injoignable.</translation>
    </message>
    <message>
        <source>Supervision today</source>
        <translation>Double écoute aujourd&apos;hui</translation>
    </message>
    <message>
        <source>{count} · {time}</source>
        <translation>{count} · {time}</translation>
    </message>
    <message>
        <source>Supervision today: {sessions}</source>
        <translation>Double écoute aujourd&apos;hui : {sessions}</translation>
    </message>
    <message>
        <source>{start} – in progress</source>
        <translation>{start} – en cours</translation>
    </message>
</context>
<context>
    <name>Notifier</name>
    <message>
        <source>Show HomeAgent</source>
        <translation>Afficher HomeAgent</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>Décrocher</translation>
    </message>
    <message>
        <source>Decline</source>
        <translation>Refuser</translation>
    </message>
</context>
<context>
    <name>PreShiftCheck</name>
    <message>
        <source>Before your shift: check your connection, phone line and headset (15 s).</source>
        <translation>Avant votre service : vérifiez votre connexion, votre ligne et votre casque (15 s).</translation>
    </message>
    <message>
        <source>Check my setup</source>
        <translation>Vérifier mon poste</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Vérification…</translation>
    </message>
    <message>
        <source>Speak now: « Bonjour, je suis prête pour mon service »…</source>
        <translation>Parlez maintenant : « Bonjour, je suis prête pour mon service »…</translation>
    </message>
    <message>
        <source>You now hear yourself in the headset.</source>
        <translation>Vous vous entendez maintenant dans le casque.</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Serveur</translation>
    </message>
    <message>
        <source>Voice over the Internet</source>
        <translation>Voix sur Internet</translation>
    </message>
    <message>
        <source>Bandwidth for a call</source>
        <translation>Débit pour un appel</translation>
    </message>
    <message>
        <source>Phone line</source>
        <translation>Ligne téléphonique</translation>
    </message>
    <message>
        <source>Microphone</source>
        <translation>Micro</translation>
    </message>
    <message>
        <source>Headset</source>
        <translation>Casque</translation>
    </message>
    <message>
        <source>Ringer</source>
        <translation>Sonnerie</translation>
    </message>
    <message>
        <source>Clock</source>
        <translation>Horloge</translation>
    </message>
    <message>
        <source>Good</source>
        <translation>Bon</translation>
    </message>
    <message>
        <source>To watch</source>
        <translation>À surveiller</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>Problème</translation>
    </message>
    <message>
        <source>Everything is ready for your shift.</source>
        <translation>Tout est prêt pour votre service.</translation>
    </message>
    <message>
        <source>You can work, but some points deserve a look.</source>
        <translation>Vous pouvez travailler, mais certains points sont à surveiller.</translation>
    </message>
    <message>
        <source>Something will get in the way of your calls: see the red lines.</source>
        <translation>Un problème gênera vos appels : voyez les lignes en rouge.</translation>
    </message>
    <message>
        <source>answers in {ms} ms</source>
        <translation>répond en {ms} ms</translation>
    </message>
    <message>
        <source>loss {loss} % · jitter {jitter} ms · round trip {rtt} ms · MOS {g722} (G.722), {pcma} (G.711)</source>
        <translation>perte {loss} % · gigue {jitter} ms · aller-retour {rtt} ms · MOS {g722} (G.722), {pcma} (G.711)</translation>
    </message>
    <message>
        <source>{kbit} kbit/s each way held</source>
        <translation>{kbit} kbit/s tenus dans chaque sens</translation>
    </message>
    <message>
        <source>{s} s behind the server</source>
        <translation>votre horloge retarde de {s} s sur le serveur</translation>
    </message>
    <message>
        <source>{s} s ahead of the server</source>
        <translation>votre horloge avance de {s} s sur le serveur</translation>
    </message>
    <message>
        <source>loudest level {pct} %</source>
        <translation>niveau le plus fort {pct} %</translation>
    </message>
    <message>
        <source>The server answers quickly.</source>
        <translation>Le serveur répond rapidement.</translation>
    </message>
    <message>
        <source>Your connection carries the voice well.</source>
        <translation>Votre connexion transmet bien la voix.</translation>
    </message>
    <message>
        <source>Your line has enough bandwidth for a call.</source>
        <translation>Votre ligne a assez de débit pour un appel.</translation>
    </message>
    <message>
        <source>Your phone line is connected: calls can reach you.</source>
        <translation>Votre ligne téléphonique est connectée : les appels peuvent vous joindre.</translation>
    </message>
    <message>
        <source>Your microphone picks you up well.</source>
        <translation>Votre micro vous capte bien.</translation>
    </message>
    <message>
        <source>You hear the headset.</source>
        <translation>Vous entendez le casque.</translation>
    </message>
    <message>
        <source>You hear the ringer.</source>
        <translation>Vous entendez la sonnerie.</translation>
    </message>
    <message>
        <source>Your computer is on time.</source>
        <translation>Votre ordinateur est à l&apos;heure.</translation>
    </message>
    <message>
        <source>The server is slow to answer: close the downloads and videos on your other devices, then check again.</source>
        <translation>Le serveur tarde à répondre : arrêtez les téléchargements et les vidéos sur vos autres appareils, puis vérifiez à nouveau.</translation>
    </message>
    <message>
        <source>The server does not answer: check that the Internet works (the box&apos;s lights), then call your IT support.</source>
        <translation>Le serveur ne répond pas : vérifiez qu&apos;Internet fonctionne (les voyants de la box), puis appelez votre support informatique.</translation>
    </message>
    <message>
        <source>Voice packets are being lost: plug your computer into the box with a cable rather than using Wi-Fi.</source>
        <translation>Des paquets de voix se perdent : branchez votre ordinateur en filaire sur la box plutôt qu&apos;en Wi-Fi.</translation>
    </message>
    <message>
        <source>Your connection is irregular: plug in with a cable and pause the downloads, videos and games on the other devices at home.</source>
        <translation>Votre connexion est irrégulière : branchez-vous en filaire et mettez en pause les téléchargements, vidéos et jeux sur les autres appareils de la maison.</translation>
    </message>
    <message>
        <source>The voice takes long to reach the server: restart the box; if it stays so, tell your IT support.</source>
        <translation>La voix met longtemps à atteindre le serveur : redémarrez la box ; si cela continue, prévenez votre support informatique.</translation>
    </message>
    <message>
        <source>The voice test gets no answer: a firewall or the box may block it. Tell your IT support (UDP to the server).</source>
        <translation>Le test de la voix ne reçoit aucune réponse : un pare-feu ou la box le bloque peut-être. Prévenez votre support informatique (UDP vers le serveur).</translation>
    </message>
    <message>
        <source>This server offers no voice test: ask your IT support to enable it.</source>
        <translation>Ce serveur ne propose pas de test de la voix : demandez à votre support informatique de l&apos;activer.</translation>
    </message>
    <message>
        <source>Your line cannot send enough for a call: stop the uploads (online backups, video calls) on the other devices, or plug in with a cable.</source>
        <translation>Votre ligne n&apos;envoie pas assez pour un appel : arrêtez les envois (sauvegardes en ligne, visioconférences) sur les autres appareils, ou branchez-vous en filaire.</translation>
    </message>
    <message>
        <source>Your line cannot receive enough for a call: pause the streaming and downloads on the other devices, or plug in with a cable.</source>
        <translation>Votre ligne ne reçoit pas assez pour un appel : mettez en pause le streaming et les téléchargements sur les autres appareils, ou branchez-vous en filaire.</translation>
    </message>
    <message>
        <source>Your phone line is not connected: calls will not reach you. Check again in a minute; if it stays red, call your IT support.</source>
        <translation>Votre ligne téléphonique n&apos;est pas connectée : les appels ne vous joindront pas. Vérifiez à nouveau dans une minute ; si elle reste rouge, appelez votre support informatique.</translation>
    </message>
    <message>
        <source>This computer is not signed in yet: start HomeAgent and sign in.</source>
        <translation>Cet ordinateur n&apos;est pas encore connecté : lancez HomeAgent et connectez-vous.</translation>
    </message>
    <message>
        <source>We hear nothing from your microphone: check that the headset&apos;s mute switch is off and choose the right microphone in the audio settings.</source>
        <translation>Nous n&apos;entendons rien de votre micro : vérifiez que le bouton muet du casque n&apos;est pas activé et choisissez le bon micro dans les réglages audio.</translation>
    </message>
    <message>
        <source>Your microphone is very quiet: bring the headset&apos;s microphone near your mouth or raise its level in the system settings.</source>
        <translation>Votre micro est très faible : approchez le micro du casque de votre bouche ou montez son niveau dans les réglages du système.</translation>
    </message>
    <message>
        <source>No device found: plug the headset in, then choose it in the audio settings.</source>
        <translation>Aucun appareil trouvé : branchez le casque, puis choisissez-le dans les réglages audio.</translation>
    </message>
    <message>
        <source>Listen to the test sound, then say whether you heard it.</source>
        <translation>Écoutez le son de test, puis dites si vous l&apos;avez entendu.</translation>
    </message>
    <message>
        <source>You did not hear it: check the volume and choose the right device in the audio settings.</source>
        <translation>Vous ne l&apos;avez pas entendu : vérifiez le volume et choisissez le bon appareil dans les réglages audio.</translation>
    </message>
    <message>
        <source>Your computer&apos;s clock is off: turn on &apos;Set time automatically&apos; in the date and time settings.</source>
        <translation>L&apos;horloge de votre ordinateur n&apos;est pas à l&apos;heure : activez « Régler l&apos;heure automatiquement » dans les réglages de date et d&apos;heure.</translation>
    </message>
    <message>
        <source>Not checked this time.</source>
        <translation>Non vérifié cette fois-ci.</translation>
    </message>
</context>
<context>
    <name>PresenceButton</name>
    <message>
        <source>Presence</source>
        <translation>Présence</translation>
    </message>
    <message>
        <source>Change your presence (Ctrl+D: toggle Available)</source>
        <translation>Changer de présence (Ctrl+D : basculer Disponible)</translation>
    </message>
    <message>
        <source>Available</source>
        <translation>Disponible</translation>
    </message>
    <message>
        <source>Break</source>
        <translation>Pause</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Hors ligne</translation>
    </message>
</context>
<context>
    <name>ProfileDialog</name>
    <message>
        <source>Welcome to HomeAgent</source>
        <translation>Bienvenue dans HomeAgent</translation>
    </message>
    <message>
        <source>Import the connection profile your organisation sent you (a .json file): choose it, or drop it on this window.</source>
        <translation>Importez le profil de connexion envoyé par votre organisation (un fichier .json) : choisissez-le, ou déposez-le sur cette fenêtre.</translation>
    </message>
    <message>
        <source>Choose the profile file…</source>
        <translation>Choisir le fichier de profil…</translation>
    </message>
    <message>
        <source>This profile was refused: {why}</source>
        <translation>Ce profil a été refusé : {why}</translation>
    </message>
    <message>
        <source>Connection profile</source>
        <translation>Profil de connexion</translation>
    </message>
    <message>
        <source>Profiles (*.json)</source>
        <translation>Profils (*.json)</translation>
    </message>
</context>
<context>
    <name>QueuesPanel</name>
    <message>
        <source>Queues</source>
        <translation>Files d&apos;attente</translation>
    </message>
</context>
<context>
    <name>RingingPanel</name>
    <message>
        <source>Incoming call</source>
        <translation>Appel entrant</translation>
    </message>
    <message>
        <source>Answer  ({keys})</source>
        <translation>Décrocher  ({keys})</translation>
    </message>
    <message>
        <source>Decline  ({keys})</source>
        <translation>Refuser  ({keys})</translation>
    </message>
    <message>
        <source>Queue: {queue}</source>
        <translation>File : {queue}</translation>
    </message>
    <message>
        <source>Answers automatically in {s} s</source>
        <translation>Décroché automatique dans {s} s</translation>
    </message>
</context>
<context>
    <name>RulesEditor</name>
    <message>
        <source>Slot rules</source>
        <translation>Règles des créneaux</translation>
    </message>
    <message>
        <source>Book at least (before the start)</source>
        <translation>Réserver au moins (avant le début)</translation>
    </message>
    <message>
        <source>Cancel at least (before the start)</source>
        <translation>Annuler au moins (avant le début)</translation>
    </message>
    <message>
        <source>Late after (past the start)</source>
        <translation>En retard après (passé le début)</translation>
    </message>
    <message>
        <source> min</source>
        <translation> min</translation>
    </message>
</context>
<context>
    <name>SetStateDialog</name>
    <message>
        <source>Set the state of {names}</source>
        <translation>Changer l&apos;état de {names}</translation>
    </message>
    <message>
        <source>Break</source>
        <translation>Pause</translation>
    </message>
    <message>
        <source>Break reason</source>
        <translation>Motif de pause</translation>
    </message>
    <message>
        <source>Not ready</source>
        <translation>Non prêt</translation>
    </message>
    <message>
        <source>Sign out (Offline): the desk stops taking calls</source>
        <translation>Déconnecter (Hors ligne) : le poste ne prend plus d&apos;appels</translation>
    </message>
    <message>
        <source>Note for the agent (optional)</source>
        <translation>Note pour l&apos;agent (facultative)</translation>
    </message>
    <message>
        <source>Note for the agent</source>
        <translation>Note pour l&apos;agent</translation>
    </message>
    <message>
        <source>{names}: in a call — applied after the current call and its wrap-up.</source>
        <translation>{names} : en appel — appliqué après l&apos;appel en cours et son post-appel.</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>Appliquer</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Thresholds and alerts — {team}</source>
        <translation>Seuils et alertes — {team}</translation>
    </message>
    <message>
        <source>Board colours (amber at the warning, red at the alarm)</source>
        <translation>Couleurs du tableau (orange à l&apos;alerte, rouge à l&apos;alarme)</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>Alerte</translation>
    </message>
    <message>
        <source>Alarm</source>
        <translation>Alarme</translation>
    </message>
    <message>
        <source>Time in a break</source>
        <translation>Durée d&apos;une pause</translation>
    </message>
    <message>
        <source>Call duration</source>
        <translation>Durée d&apos;appel</translation>
    </message>
    <message>
        <source>Wrap-up beyond its time</source>
        <translation>Post-appel au-delà de son temps</translation>
    </message>
    <message>
        <source>Average handle time</source>
        <translation>Durée moyenne de traitement</translation>
    </message>
    <message>
        <source>Missed calls today</source>
        <translation>Appels manqués aujourd&apos;hui</translation>
    </message>
    <message>
        <source>Call quality (MOS, lower is worse)</source>
        <translation>Qualité d&apos;appel (MOS, plus bas est pire)</translation>
    </message>
    <message>
        <source>{what}: warning</source>
        <translation>{what} : alerte</translation>
    </message>
    <message>
        <source>{what}: alarm</source>
        <translation>{what} : alarme</translation>
    </message>
    <message>
        <source>Breaks allowed a day</source>
        <translation>Pauses prévues par jour</translation>
    </message>
    <message>
        <source>Alerts (a notification and a highlighted row)</source>
        <translation>Alertes (une notification et une ligne surlignée)</translation>
    </message>
    <message>
        <source>Break longer than</source>
        <translation>Pause plus longue que</translation>
    </message>
    <message>
        <source>Call longer than</source>
        <translation>Appel plus long que</translation>
    </message>
    <message>
        <source>Wrap-up over its time by</source>
        <translation>Post-appel dépassé de</translation>
    </message>
    <message>
        <source>Missed calls in a row</source>
        <translation>Appels manqués d&apos;affilée</translation>
    </message>
    <message>
        <source>No break for</source>
        <translation>Sans pause depuis</translation>
    </message>
    <message>
        <source>Call quality under (MOS)</source>
        <translation>Qualité d&apos;appel sous (MOS)</translation>
    </message>
    <message>
        <source>Help request waiting for</source>
        <translation>Demande d&apos;aide en attente depuis</translation>
    </message>
    <message>
        <source>for call quality the warning must be above the alarm</source>
        <translation>pour la qualité d&apos;appel, l&apos;alerte doit être au-dessus de l&apos;alarme</translation>
    </message>
    <message>
        <source>each warning must come before its alarm</source>
        <translation>chaque alerte doit venir avant son alarme</translation>
    </message>
    <message>
        <source>Check the thresholds: {what}.</source>
        <translation>Vérifiez les seuils : {what}.</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Enregistrement…</translation>
    </message>
    <message>
        <source>Not saved: {why}</source>
        <translation>Non enregistré : {why}</translation>
    </message>
</context>
<context>
    <name>ShortcutSheet</name>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Raccourcis clavier</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Action</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>Touches</translation>
    </message>
</context>
<context>
    <name>SidePanel</name>
    <message>
        <source>Contacts</source>
        <translation>Contacts</translation>
    </message>
    <message>
        <source>History</source>
        <translation>Historique</translation>
    </message>
    <message>
        <source>Inbox</source>
        <translation>Messages</translation>
    </message>
    <message>
        <source>My day</source>
        <translation>Ma journée</translation>
    </message>
    <message>
        <source>My slots</source>
        <translation>Mes créneaux</translation>
    </message>
    <message>
        <source>Inbox ({count})</source>
        <translation>Messages ({count})</translation>
    </message>
</context>
<context>
    <name>SlotEditor</name>
    <message>
        <source>Day</source>
        <translation>Jour</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Début</translation>
    </message>
    <message>
        <source>End</source>
        <translation>Fin</translation>
    </message>
    <message>
        <source>Places</source>
        <translation>Places</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>A slot lasts at least 15 minutes.</source>
        <translation>Un créneau dure au moins 15 minutes.</translation>
    </message>
    <message>
        <source>A slot lasts at most 12 hours.</source>
        <translation>Un créneau dure au plus 12 heures.</translation>
    </message>
</context>
<context>
    <name>SlotEndBanner</name>
    <message>
        <source>Go offline</source>
        <translation>Passer hors ligne</translation>
    </message>
    <message>
        <source>Keep working</source>
        <translation>Continuer</translation>
    </message>
    <message>
        <source>Your slot {span} is over. Go offline?</source>
        <translation>Votre créneau {span} est terminé. Passer hors ligne ?</translation>
    </message>
</context>
<context>
    <name>Slots</name>
    <message>
        <source>Too late to book: slots are booked at least {notice} before they start.</source>
        <translation>Trop tard pour réserver : un créneau se réserve au moins {notice} avant son début.</translation>
    </message>
    <message>
        <source>Too late to book this slot.</source>
        <translation>Trop tard pour réserver ce créneau.</translation>
    </message>
    <message>
        <source>Too late to cancel: ask your team lead (at least {notice} before).</source>
        <translation>Trop tard pour annuler : demandez à votre chef d&apos;équipe (au moins {notice} avant).</translation>
    </message>
    <message>
        <source>Too late to cancel: ask your team lead.</source>
        <translation>Trop tard pour annuler : demandez à votre chef d&apos;équipe.</translation>
    </message>
    <message>
        <source>This slot is full.</source>
        <translation>Ce créneau est complet.</translation>
    </message>
    <message>
        <source>You already hold a slot at that time.</source>
        <translation>Vous avez déjà un créneau à cette heure-là.</translation>
    </message>
    <message>
        <source>Your team lead cancelled this slot.</source>
        <translation>Votre chef d&apos;équipe a annulé ce créneau.</translation>
    </message>
    <message>
        <source>This slot has started: it can no longer change.</source>
        <translation>Ce créneau a commencé : il ne peut plus changer.</translation>
    </message>
    <message>
        <source>You had not booked this slot.</source>
        <translation>Vous n&apos;aviez pas réservé ce créneau.</translation>
    </message>
    <message>
        <source>The server refused: {code}.</source>
        <translation>Le serveur a refusé : {code}.</translation>
    </message>
    <message>
        <source>1 hour</source>
        <translation>1 heure</translation>
    </message>
    <message>
        <source>{n} hours</source>
        <translation>{n} heures</translation>
    </message>
    <message>
        <source>{n} min</source>
        <translation>{n} min</translation>
    </message>
    <message>
        <source>Slot</source>
        <translation>Créneau</translation>
    </message>
    <message>
        <source>Places</source>
        <translation>Places</translation>
    </message>
    <message>
        <source>My booking</source>
        <translation>Ma réservation</translation>
    </message>
    <message>
        <source>1 free of {capacity}</source>
        <translation>1 libre sur {capacity}</translation>
    </message>
    <message>
        <source>Full ({capacity})</source>
        <translation>Complet ({capacity})</translation>
    </message>
    <message>
        <source>{free} free of {capacity}</source>
        <translation>{free} libres sur {capacity}</translation>
    </message>
    <message>
        <source>Booked</source>
        <translation>Réservé</translation>
    </message>
    <message>
        <source>Too late</source>
        <translation>Trop tard</translation>
    </message>
    <message>
        <source>Full</source>
        <translation>Complet</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Commencé</translation>
    </message>
</context>
<context>
    <name>SlotsController</name>
    <message>
        <source>Sending…</source>
        <translation>Envoi…</translation>
    </message>
    <message>
        <source>Not sent: the server cannot be reached. Try again.</source>
        <translation>Non envoyé : le serveur est injoignable. Réessayez.</translation>
    </message>
    <message>
        <source>Booked: {day} {span}.</source>
        <translation>Réservé : {day} {span}.</translation>
    </message>
    <message>
        <source>Booking cancelled: {day} {span}.</source>
        <translation>Réservation annulée : {day} {span}.</translation>
    </message>
    <message>
        <source>Your slot starts in {n} min</source>
        <translation>Votre créneau commence dans {n} min</translation>
    </message>
    <message>
        <source>{day} {span}</source>
        <translation>{day} {span}</translation>
    </message>
</context>
<context>
    <name>SlotsPage</name>
    <message>
        <source>Expected</source>
        <translation>Attendu</translation>
    </message>
    <message>
        <source>On time</source>
        <translation>À l&apos;heure</translation>
    </message>
    <message>
        <source>Late</source>
        <translation>En retard</translation>
    </message>
    <message>
        <source>Absent</source>
        <translation>Absent</translation>
    </message>
    <message>
        <source>Not there yet</source>
        <translation>Pas encore là</translation>
    </message>
    <message>
        <source>{n} min</source>
        <translation>{n} min</translation>
    </message>
    <message>
        <source> (+{late}, {at})</source>
        <translation> (+{late}, {at})</translation>
    </message>
    <message>
        <source>, left at {at}</source>
        <translation>, parti à {at}</translation>
    </message>
    <message>
        <source>Slot</source>
        <translation>Créneau</translation>
    </message>
    <message>
        <source>Booked</source>
        <translation>Réservés</translation>
    </message>
    <message>
        <source>In without a slot</source>
        <translation>Sans créneau</translation>
    </message>
    <message>
        <source>{booked} / {capacity}</source>
        <translation>{booked} / {capacity}</translation>
    </message>
    <message>
        <source>◀ Previous week</source>
        <translation>◀ Semaine précédente</translation>
    </message>
    <message>
        <source>Next week ▶</source>
        <translation>Semaine suivante ▶</translation>
    </message>
    <message>
        <source>New slot…</source>
        <translation>Nouveau créneau…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>Modifier…</translation>
    </message>
    <message>
        <source>Cancel the slot</source>
        <translation>Annuler le créneau</translation>
    </message>
    <message>
        <source>Rules…</source>
        <translation>Règles…</translation>
    </message>
    <message>
        <source>The week&apos;s slots</source>
        <translation>Les créneaux de la semaine</translation>
    </message>
    <message>
        <source>Week of {day}</source>
        <translation>Semaine du {day}</translation>
    </message>
    <message>
        <source>No slot this week: open one with “New slot…”.</source>
        <translation>Aucun créneau cette semaine : ouvrez-en un avec « Nouveau créneau… ».</translation>
    </message>
    <message>
        <source>Nobody worked outside a slot this week.</source>
        <translation>Personne n&apos;a travaillé hors créneau cette semaine.</translation>
    </message>
    <message>
        <source>In without a slot this week: {people}</source>
        <translation>Connectés sans créneau cette semaine : {people}</translation>
    </message>
    <message>
        <source>Select a slot to see who booked it and how it went.</source>
        <translation>Choisissez un créneau pour voir qui l&apos;a réservé et comment il s&apos;est passé.</translation>
    </message>
    <message>
        <source>{day} {span} — {booked} booked of {capacity}</source>
        <translation>{day} {span} — {booked} réservés sur {capacity}</translation>
    </message>
    <message>
        <source>  Nobody booked it.</source>
        <translation>  Personne ne l&apos;a réservé.</translation>
    </message>
    <message>
        <source>  • {name} — in without a booking ({time})</source>
        <translation>  • {name} — connecté sans réservation ({time})</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Envoi…</translation>
    </message>
    <message>
        <source>New slot</source>
        <translation>Nouveau créneau</translation>
    </message>
    <message>
        <source>Slot opened.</source>
        <translation>Créneau ouvert.</translation>
    </message>
    <message>
        <source>Edit the slot</source>
        <translation>Modifier le créneau</translation>
    </message>
    <message>
        <source>Slot changed.</source>
        <translation>Créneau modifié.</translation>
    </message>
    <message>
        <source>Slot cancelled; the agents who booked it are told.</source>
        <translation>Créneau annulé ; les agents qui l&apos;avaient réservé sont prévenus.</translation>
    </message>
    <message>
        <source>Rules saved: book {book} min, cancel {cancel} min before.</source>
        <translation>Règles enregistrées : réserver {book} min, annuler {cancel} min avant.</translation>
    </message>
    <message>
        <source>Agents have booked this slot: its times cannot change. Cancel it and open another.</source>
        <translation>Des agents ont réservé ce créneau : ses horaires ne peuvent plus changer. Annulez-le et ouvrez-en un autre.</translation>
    </message>
    <message>
        <source>More agents have booked it than that capacity.</source>
        <translation>Plus d&apos;agents l&apos;ont déjà réservé que cette capacité.</translation>
    </message>
    <message>
        <source>This slot has started: it can no longer change.</source>
        <translation>Ce créneau a commencé : il ne peut plus changer.</translation>
    </message>
    <message>
        <source>A slot must start in the future.</source>
        <translation>Un créneau doit commencer dans le futur.</translation>
    </message>
    <message>
        <source>This slot was already cancelled.</source>
        <translation>Ce créneau était déjà annulé.</translation>
    </message>
</context>
<context>
    <name>SlotsTab</name>
    <message>
        <source>This week&apos;s slots</source>
        <translation>Les créneaux de la semaine</translation>
    </message>
    <message>
        <source>Book</source>
        <translation>Réserver</translation>
    </message>
    <message>
        <source>Cancel my booking</source>
        <translation>Annuler ma réservation</translation>
    </message>
    <message>
        <source>No slot booked this week.</source>
        <translation>Aucun créneau réservé cette semaine.</translation>
    </message>
    <message>
        <source>now, until {end}</source>
        <translation>en cours, jusqu&apos;à {end}</translation>
    </message>
    <message>
        <source>My next slot: {when}</source>
        <translation>Mon prochain créneau : {when}</translation>
    </message>
    <message>
        <source>Slots unavailable: the server cannot be reached.</source>
        <translation>Créneaux indisponibles : le serveur est injoignable.</translation>
    </message>
</context>
<context>
    <name>StartWindow</name>
    <message>
        <source>Starting…</source>
        <translation>Démarrage…</translation>
    </message>
    <message>
        <source>HomeAgent is starting</source>
        <translation>HomeAgent démarre</translation>
    </message>
    <message>
        <source>Opening your desk…</source>
        <translation>Ouverture de votre poste…</translation>
    </message>
</context>
<context>
    <name>Supervision</name>
    <message>
        <source>Listen</source>
        <translation>Écouter</translation>
    </message>
    <message>
        <source>Whisper</source>
        <translation>Chuchoter</translation>
    </message>
    <message>
        <source>Barge in</source>
        <translation>Intervenir</translation>
    </message>
    <message>
        <source>You hear the customer and the agent; nobody hears you.</source>
        <translation>Vous entendez le client et l&apos;agent ; personne ne vous entend.</translation>
    </message>
    <message>
        <source>You hear both; only the agent hears you (coaching).</source>
        <translation>Vous entendez les deux ; seul l&apos;agent vous entend (coaching).</translation>
    </message>
    <message>
        <source>You hear both, and the agent and the customer hear you.</source>
        <translation>Vous entendez les deux, et l&apos;agent comme le client vous entendent.</translation>
    </message>
    <message>
        <source>Listening to {agent}</source>
        <translation>Écoute de {agent}</translation>
    </message>
    <message>
        <source>Whispering to {agent}</source>
        <translation>Chuchotement à {agent}</translation>
    </message>
    <message>
        <source>Barging in on {agent}</source>
        <translation>Intervention sur l&apos;appel de {agent}</translation>
    </message>
    <message>
        <source>Listening: {lead}</source>
        <translation>Écoute : {lead}</translation>
    </message>
    <message>
        <source>Whispering: {lead}</source>
        <translation>Chuchotement : {lead}</translation>
    </message>
    <message>
        <source>Barging in: {lead}</source>
        <translation>Intervention : {lead}</translation>
    </message>
    <message>
        <source>Call ended</source>
        <translation>Appel terminé</translation>
    </message>
    <message>
        <source>Transferred</source>
        <translation>Transféré</translation>
    </message>
    <message>
        <source>Connection lost</source>
        <translation>Connexion perdue</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>Refusé</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>Arrêtée</translation>
    </message>
    <message>
        <source>The agent is no longer in a call</source>
        <translation>L&apos;agent n&apos;est plus en communication</translation>
    </message>
    <message>
        <source>The agent signed out</source>
        <translation>L&apos;agent s&apos;est déconnecté</translation>
    </message>
    <message>
        <source>No audio within 10 s: stopped</source>
        <translation>Pas d&apos;audio en 10 s : arrêtée</translation>
    </message>
    <message>
        <source>Ended</source>
        <translation>Terminée</translation>
    </message>
    <message>
        <source>{lead} is already listening to {agent}.</source>
        <translation>{lead} écoute déjà {agent}.</translation>
    </message>
    <message>
        <source>Another lead is already listening to {agent}.</source>
        <translation>Un autre chef d&apos;équipe écoute déjà {agent}.</translation>
    </message>
    <message>
        <source>{agent} is no longer in a call.</source>
        <translation>{agent} n&apos;est plus en communication.</translation>
    </message>
    <message>
        <source>You are already supervising another call.</source>
        <translation>Vous êtes déjà en double écoute sur un autre appel.</translation>
    </message>
    <message>
        <source>Call supervision is turned off by your organisation.</source>
        <translation>La double écoute est désactivée par votre organisation.</translation>
    </message>
    <message>
        <source>You may not supervise {agent}.</source>
        <translation>Vous n&apos;êtes pas autorisé à écouter {agent}.</translation>
    </message>
    <message>
        <source>{agent} is unknown to the server.</source>
        <translation>{agent} est inconnu du serveur.</translation>
    </message>
    <message>
        <source>The server cannot be reached: nothing was started.</source>
        <translation>Serveur injoignable : la double écoute n&apos;a pas démarré.</translation>
    </message>
    <message>
        <source>Not started: {why}</source>
        <translation>Non démarrée : {why}</translation>
    </message>
    <message>
        <source>The mode was not changed: {why}</source>
        <translation>Le mode n&apos;a pas changé : {why}</translation>
    </message>
    <message>
        <source>{title}: {why}</source>
        <translation>{title} : {why}</translation>
    </message>
    <message>
        <source>call quality not known yet</source>
        <translation>qualité de l&apos;appel pas encore connue</translation>
    </message>
    <message>
        <source>MOS {mos} · loss {loss} % · jitter {jitter} ms</source>
        <translation>MOS {mos} · perte {loss} % · gigue {jitter} ms</translation>
    </message>
    <message>
        <source>You have no phone line: call supervision needs one.</source>
        <translation>Vous n&apos;avez pas de ligne téléphonique : la double écoute en demande une.</translation>
    </message>
    <message>
        <source>In a call</source>
        <translation>En communication</translation>
    </message>
    <message>
        <source>You are already supervising a call (stop it first: Ctrl+Shift+X).</source>
        <translation>Vous êtes déjà en double écoute (arrêtez-la d&apos;abord : Ctrl+Maj+X).</translation>
    </message>
    <message>
        <source>{agent} is not in a call.</source>
        <translation>{agent} n&apos;est pas en communication.</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Arrêter</translation>
    </message>
    <message>
        <source>Stop supervising (Ctrl+Shift+X)</source>
        <translation>Arrêter la double écoute (Ctrl+Maj+X)</translation>
    </message>
    <message>
        <source>Stop supervising</source>
        <translation>Arrêter la double écoute</translation>
    </message>
    <message>
        <source>Call supervision</source>
        <translation>Double écoute</translation>
    </message>
    <message>
        <source>switching to “{mode}”…</source>
        <translation>passage à « {mode} »…</translation>
    </message>
    <message>
        <source>{title} — connecting… ({quality})</source>
        <translation>{title} — connexion… ({quality})</translation>
    </message>
    <message>
        <source>Switch this session to {mode}</source>
        <translation>Passer cette session en « {mode} »</translation>
    </message>
    <message>
        <source>Listen to {agent}&apos;s call</source>
        <translation>Écouter l&apos;appel de {agent}</translation>
    </message>
    <message>
        <source>Whisper to {agent} (only the agent hears you)</source>
        <translation>Chuchoter à {agent} (seul l&apos;agent vous entend)</translation>
    </message>
    <message>
        <source>Barge in on {agent}&apos;s call (the customer hears you)</source>
        <translation>Intervenir dans l&apos;appel de {agent} (le client vous entend)</translation>
    </message>
    <message>
        <source>you</source>
        <translation>vous</translation>
    </message>
</context>
<context>
    <name>SupervisionIndicator</name>
    <message>
        <source>{title} · connecting…</source>
        <translation>{title} · connexion…</translation>
    </message>
</context>
<context>
    <name>TimelineStrip</name>
    <message>
        <source>States of {name}</source>
        <translation>États de {name}</translation>
    </message>
</context>
<context>
    <name>TopBar</name>
    <message>
        <source>⌨ Hotkeys</source>
        <translation>⌨ Raccourcis</translation>
    </message>
    <message>
        <source>Global hotkeys</source>
        <translation>Raccourcis globaux</translation>
    </message>
    <message>
        <source>Answer, hang up, mute from any window</source>
        <translation>Décrocher, raccrocher, couper le micro depuis n&apos;importe quelle fenêtre</translation>
    </message>
    <message>
        <source>? Help</source>
        <translation>? Aide</translation>
    </message>
    <message>
        <source>Help</source>
        <translation>Aide</translation>
    </message>
    <message>
        <source>✓ Check</source>
        <translation>✓ Vérifier</translation>
    </message>
    <message>
        <source>Check my setup</source>
        <translation>Vérifier mon poste</translation>
    </message>
    <message>
        <source>Check my setup: connection, phone line, headset (≈ 15 s)</source>
        <translation>Vérifier mon poste : connexion, ligne, casque (≈ 15 s)</translation>
    </message>
    <message>
        <source>✉ Inbox ({count})</source>
        <translation>✉ Messages ({count})</translation>
    </message>
    <message>
        <source>✉ Inbox</source>
        <translation>✉ Messages</translation>
    </message>
    <message>
        <source>{count} unread messages</source>
        <translation>{count} message(s) non lu(s)</translation>
    </message>
    <message>
        <source>♪ Audio</source>
        <translation>♪ Audio</translation>
    </message>
    <message>
        <source>Microphone, headset and ringer (Ctrl+Shift+A)</source>
        <translation>Microphone, casque et sonnerie (Ctrl+Maj+A)</translation>
    </message>
    <message>
        <source>Audio settings</source>
        <translation>Réglages audio</translation>
    </message>
</context>
<context>
    <name>UnsentBadge</name>
    <message>
        <source>⚠ 1 item not sent</source>
        <translation>⚠ 1 élément non envoyé</translation>
    </message>
    <message>
        <source>⚠ {count} items not sent</source>
        <translation>⚠ {count} éléments non envoyés</translation>
    </message>
    <message>
        <source>The server refused them: open to retry or discard</source>
        <translation>Le serveur les a refusés : ouvrir pour réessayer ou abandonner</translation>
    </message>
</context>
<context>
    <name>UnsentDialog</name>
    <message>
        <source>Items not sent</source>
        <translation>Éléments non envoyés</translation>
    </message>
    <message>
        <source>The server refused these for good. Retry once the cause is fixed, or discard them: nothing else waits for them except what belongs to the same call or contact.</source>
        <translation>Le serveur a refusé ces éléments définitivement. Réessayez une fois la cause corrigée, ou abandonnez-les : rien d&apos;autre ne les attend, sauf ce qui concerne le même appel ou le même contact.</translation>
    </message>
    <message>
        <source>&amp;Retry</source>
        <translation>&amp;Réessayer</translation>
    </message>
    <message>
        <source>&amp;Discard</source>
        <translation>&amp;Abandonner</translation>
    </message>
    <message>
        <source>Everything was sent.</source>
        <translation>Tout a été envoyé.</translation>
    </message>
</context>
<context>
    <name>UpdateBanner</name>
    <message>
        <source>Update {version} ready</source>
        <translation>Mise à jour {version} prête</translation>
    </message>
    <message>
        <source>Install now</source>
        <translation>Installer maintenant</translation>
    </message>
    <message>
        <source>At restart</source>
        <translation>Au redémarrage</translation>
    </message>
    <message>
        <source>Update {version} will be installed when you quit HomeAgent</source>
        <translation>La mise à jour {version} sera installée quand vous quitterez HomeAgent</translation>
    </message>
    <message>
        <source>Update {version} will be installed at the next quiet moment</source>
        <translation>La mise à jour {version} sera installée au prochain moment calme</translation>
    </message>
    <message>
        <source>Update {version} is available: it comes with the system updates</source>
        <translation>Mise à jour {version} disponible : elle arrive avec les mises à jour du système</translation>
    </message>
</context>
<context>
    <name>Wallboard</name>
    <message>
        <source>HomeAgent — wallboard</source>
        <translation>HomeAgent — écran mural</translation>
    </message>
    <message>
        <source>Esc: leave</source>
        <translation>Échap : quitter</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>File</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>En attente</translation>
    </message>
    <message>
        <source>Longest wait</source>
        <translation>Attente max.</translation>
    </message>
    <message>
        <source>Service level</source>
        <translation>Niveau de service</translation>
    </message>
    <message>
        <source>No queue for this team</source>
        <translation>Aucune file pour cette équipe</translation>
    </message>
    <message>
        <source>Team</source>
        <translation>Équipe</translation>
    </message>
</context>
<context>
    <name>WrapUpForm</name>
    <message>
        <source>Callback date and time</source>
        <translation>Date et heure du rappel</translation>
    </message>
    <message>
        <source>&amp;Disposition *</source>
        <translation>&amp;Qualification *</translation>
    </message>
    <message>
        <source>&amp;Notes</source>
        <translation>&amp;Notes</translation>
    </message>
    <message>
        <source>Call&amp;back</source>
        <translation>&amp;Rappel</translation>
    </message>
    <message>
        <source>Wrap-up</source>
        <translation>Post-appel</translation>
    </message>
    <message>
        <source>Call back on</source>
        <translation>Rappeler le</translation>
    </message>
    <message>
        <source>Save  (Ctrl+S)</source>
        <translation>Enregistrer  (Ctrl+S)</translation>
    </message>
    <message>
        <source>Ready for calls  (Ctrl+D)</source>
        <translation>Prêt pour un appel  (Ctrl+D)</translation>
    </message>
    <message>
        <source>What was the call about? What was done?</source>
        <translation>Motif de l&apos;appel ? Qu&apos;avez-vous fait ?</translation>
    </message>
    <message>
        <source>— Choose —</source>
        <translation>— Choisir —</translation>
    </message>
    <message>
        <source>Over by {time}</source>
        <translation>Dépassé de {time}</translation>
    </message>
    <message>
        <source>{time} left</source>
        <translation>Reste {time}</translation>
    </message>
    <message>
        <source>Saved: {disposition}, no callback.</source>
        <translation>Enregistré : {disposition}, sans rappel.</translation>
    </message>
    <message>
        <source>Saved: {disposition}, callback on {when}.</source>
        <translation>Enregistré : {disposition}, rappel le {when}.</translation>
    </message>
    <message>
        <source>Wrap-up: go to {field}</source>
        <translation>Post-appel : aller à {field}</translation>
    </message>
</context>
</TS>
